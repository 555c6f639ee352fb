// Write-only secrets (SNMP communities, SMTP and device passwords): sealed with the secret box
// before they reach the store, listed by name and kind only; the parts that need a value (a
// sensor's settings, a mail channel) ask the vault by name at run time.

import type { Clock } from '../../core/clock.ts';
import { SecretBoxError, type SecretBox } from '../../shared/secret-box.ts';

export const CREDENTIAL_KINDS = ['snmp-community', 'snmpv3-auth', 'snmpv3-priv', 'smtp-password', 'device-password', 'ldap-bind-password', 'api-key', 'other'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface CredentialInfo {
  readonly name: string;
  readonly kind: CredentialKind;
  readonly description?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

export interface CredentialRecord extends CredentialInfo {
  readonly sealed: string;
}

export interface CredentialStore {
  list(): Promise<CredentialInfo[]>;
  get(name: string): Promise<CredentialRecord | undefined>;
  /** Inserts or replaces; returns whether the name was new. */
  put(rec: CredentialRecord): Promise<'created' | 'updated'>;
  delete(name: string): Promise<boolean>;
  /** A value sealed with the key at first use, to tell at start whether the key file is the right one. */
  keyCheck(): Promise<string | undefined>;
  setKeyCheck(sealed: string): Promise<void>;
}

const KEY_CHECK_CONTEXT = 'wardwatch:key-check';
const KEY_CHECK_TEXT = 'wardwatch secrets key';

export const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class CredentialVault {
  readonly #store: CredentialStore;
  readonly #box: SecretBox;
  readonly #clock: Pick<Clock, 'now'>;

  constructor(store: CredentialStore, box: SecretBox, clock: Pick<Clock, 'now'>) {
    this.#store = store;
    this.#box = box;
    this.#clock = clock;
  }

  /** Refuses to start with a key file that is not the one the database's secrets were sealed with. */
  async checkKey(): Promise<void> {
    const check = await this.#store.keyCheck();
    if (check === undefined) {
      await this.#store.setKeyCheck(this.#box.seal(KEY_CHECK_TEXT, KEY_CHECK_CONTEXT));
      return;
    }
    try {
      this.#box.open(check, KEY_CHECK_CONTEXT);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      throw new SecretBoxError(`the secrets key file ${this.#box.source} (key ${this.#box.keyId}) is not the key this database's credentials were sealed with: restore the original key file`);
    }
  }

  list(): Promise<CredentialInfo[]> {
    return this.#store.list();
  }

  async info(name: string): Promise<CredentialInfo | undefined> {
    const rec = await this.#store.get(name);
    if (!rec) return undefined;
    const { sealed: _sealed, ...info } = rec;
    return info;
  }

  async put(name: string, kind: CredentialKind, value: string, by: string, description?: string): Promise<{ outcome: 'created' | 'updated'; info: CredentialInfo }> {
    if (!CREDENTIAL_NAME.test(name)) throw new Error(`credential name ${JSON.stringify(name)}: use letters, digits, ".", "_" or "-" (at most 128)`);
    const now = this.#clock.now();
    const prev = await this.#store.get(name);
    const info: CredentialInfo = { name, kind, ...(description !== undefined ? { description } : {}), createdAt: prev?.createdAt ?? now, updatedAt: now, updatedBy: by };
    const outcome = await this.#store.put({ ...info, sealed: this.#box.seal(value, `credential:${name}`) });
    return { outcome, info };
  }

  delete(name: string): Promise<boolean> {
    return this.#store.delete(name);
  }

  /** The plaintext, for the part that uses it (never for the API). Undefined when no such credential. */
  async reveal(name: string): Promise<string | undefined> {
    const rec = await this.#store.get(name);
    return rec === undefined ? undefined : this.#box.open(rec.sealed, `credential:${name}`);
  }
}
