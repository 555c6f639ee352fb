// The channel interface: a channel kind turns one Notification into one message for its medium
// (render) and hands it to the outside world (send). Kinds never touch the store or the queue: the
// dispatcher owns retries, timing and the attempt log, and decides from the classified result.

import type { z } from 'zod';
import type { Notification } from '../notification.ts';

export interface ChannelContext {
  /** Aborted when the attempt times out or the dispatcher stops. */
  readonly signal: AbortSignal;
  /** Longest one attempt may take, ms. */
  readonly timeoutMs: number;
  /** Wall-clock epoch milliseconds (signatures, timestamps). */
  readonly now: () => number;
  /** Resolves a secret named in the settings (SMTP password, HMAC key, routing key); undefined when missing. */
  readonly secret: (name: string) => string | undefined;
  /** Base environment for programs a channel runs (command hooks), given by the composition root. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What the peer said when it took the message. */
export interface SendOk {
  readonly ok: true;
  /** Short status for the attempt log ("250", "HTTP 202", "exit 0", "sent"). */
  readonly status: string;
  /** The peer's answer, trimmed (response body, SMTP reply). */
  readonly response?: string;
}

/** A failure, classified: retryable (peer down, 5xx, timeout) or permanent (4xx, bad address, bad secret). */
export interface SendFailed {
  readonly ok: false;
  readonly retryable: boolean;
  readonly status: string;
  readonly error: string;
  readonly response?: string;
}

export type SendResult = SendOk | SendFailed;

export function sent(status: string, response?: string): SendOk {
  return response === undefined || response === '' ? { ok: true, status } : { ok: true, status, response: clip(response) };
}

export function retryable(status: string, error: string, response?: string): SendFailed {
  return response === undefined || response === '' ? { ok: false, retryable: true, status, error } : { ok: false, retryable: true, status, error, response: clip(response) };
}

export function permanent(status: string, error: string, response?: string): SendFailed {
  return response === undefined || response === '' ? { ok: false, retryable: false, status, error } : { ok: false, retryable: false, status, error, response: clip(response) };
}

/** Attempt logs keep the start of a response: enough to diagnose, bounded in the store. */
export function clip(text: string, max = 2000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export interface ChannelKind<S extends z.ZodType = z.ZodType, M = unknown> {
  /** Registry key, used in YAML (`kind: email`) and the API. */
  readonly kind: string;
  readonly title: string;
  /** One paragraph for the docs and the console. */
  readonly description: string;
  /** The kind's own settings (next to name, kind, fallback, retryFor, templates in a channel instance). */
  readonly settings: S;
  /** Does each recipient need an address for this kind (email: yes; a webhook posts to one URL)? */
  readonly needsAddress: boolean;
  /** Template names the kind renders, with their defaults; a channel instance may override each one. */
  readonly templates: Readonly<Record<string, string>>;
  /** Builds the message for one notification (pure; tests and the API preview call it directly). */
  render(n: Notification, settings: z.infer<S>, templates: Readonly<Record<string, string>>): M;
  /** Hands the message over; never throws for "the peer is down", returns a classified failure. */
  send(message: M, settings: z.infer<S>, ctx: ChannelContext, n: Notification): Promise<SendResult>;
}

/** Erases the settings and message types for heterogeneous lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyChannelKind = ChannelKind<z.ZodType, any>;

export function defineChannelKind<S extends z.ZodType, M>(kind: ChannelKind<S, M>): ChannelKind<S, M> {
  return kind;
}
