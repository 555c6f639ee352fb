// What the main routes answer, as zod schemas: documentation only (the OpenAPI document's 200
// responses, ../openapi/document.ts), never used to check an answer at run time. Each carries an
// id, so the reference lists it once under components.schemas and routes point at it with $ref.

import { z } from 'zod';
import { DELIVERY_STATUSES } from '../../alerting/delivery/types.ts';
import { NOTIFICATION_KINDS } from '../../alerting/notification.ts';
import { ALERT_STATES } from '../../alerting/service.ts';
import { CLINICAL_SYSTEMS, NODE_TYPES, STATES } from '../../core/model.ts';

const epochMs = z.number().int().describe('Epoch milliseconds');

export const notificationSummarySchema = z
  .object({
    id: z.number().int().describe('Queue id; the list’s cursor'),
    key: z.string().describe('Deduplication key (alert, kind, step, recipient, channel)'),
    alertId: z.string(),
    nodeId: z.string().nullable().describe('The alert’s object, when known'),
    ruleName: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    channel: z.string(),
    fallbackChannel: z.string().optional(),
    recipient: z.string(),
    title: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    createdAt: epochMs,
    enqueuedAt: epochMs,
    dueAt: epochMs.describe('Next attempt (pending) or end of the current lease (sending)'),
    deliveredAt: epochMs.optional(),
    failedAt: epochMs.optional(),
    lastStatus: z.string().optional(),
    lastError: z.string().optional(),
  })
  .meta({ id: 'NotificationSummary' });

export const attemptSchema = z
  .object({
    attempt: z.number().int(),
    startedAt: epochMs,
    durationMs: z.number(),
    ok: z.boolean(),
    status: z.string().describe('SMTP reply code, HTTP status or error code'),
    response: z.string().nullable(),
    error: z.string().nullable(),
    retryable: z.boolean().nullable(),
    owner: z.string().describe('The dispatcher that made the attempt'),
  })
  .meta({ id: 'DeliveryAttempt' });

export const notificationListSchema = z
  .object({ items: z.array(notificationSummarySchema), next: z.number().int().nullable().describe('Cursor for the next page (`before`), null at the end') })
  .meta({ id: 'NotificationList' });

export const notificationDetailSchema = notificationSummarySchema
  .extend({
    address: z.string().nullable(),
    vars: z.record(z.string(), z.unknown()).describe('The template variables the message was rendered with'),
    attemptLog: z.array(attemptSchema),
  })
  .meta({ id: 'NotificationDetail' });

export const notificationCountsSchema = z
  .object({
    pending: z.number().int(),
    sending: z.number().int(),
    delivered: z.number().int(),
    failed: z.number().int(),
    partial: z.boolean().describe('True when only the newest notifications were counted (restricted callers, very long queues)'),
  })
  .meta({ id: 'NotificationCounts' });

// The shared building blocks of the reads below.

export const stateCountsSchema = z
  .object({ up: z.number().int(), warning: z.number().int(), down: z.number().int(), paused: z.number().int(), unknown: z.number().int(), acknowledged: z.number().int(), total: z.number().int() })
  .meta({ id: 'StateCounts', description: 'Sensors per state below a node (acknowledged: Down and acknowledged)' });

export const nodeSummarySchema = z
  .object({
    id: z.string(),
    type: z.enum(NODE_TYPES),
    name: z.string(),
    system: z.string().optional().describe('Groups: the clinical system'),
    host: z.string().optional().describe('Devices'),
    kind: z.string().optional().describe('Sensors'),
    timezone: z.string().optional().describe('Sites'),
    state: z.enum(STATES).optional().describe('Sensors'),
    pauseReason: z.string().optional(),
    acknowledged: z.boolean().optional(),
    message: z.string().optional(),
    since: epochMs.optional(),
    childCount: z.number().int().describe('Children the caller may see'),
    counts: stateCountsSchema,
  })
  .meta({ id: 'NodeSummary' });

const pathItemSchema = z.object({ id: z.string(), type: z.enum(NODE_TYPES), name: z.string() }).meta({ id: 'PathItem' });

const sensorStatusSchema = z
  .looseObject({ state: z.enum(STATES), since: epochMs, message: z.string().optional(), lastValues: z.record(z.string(), z.number()).optional() })
  .meta({ id: 'SensorStatus', description: 'The tracked condition of a sensor (state, since, last values, acknowledgement, ...)' });

export const alertSchema = z
  .object({
    id: z.string(),
    ruleName: z.string(),
    nodeId: z.string(),
    title: z.string(),
    state: z.enum(ALERT_STATES),
    severity: z.enum(['info', 'warning', 'critical']),
    openedAt: epochMs,
    resolvedAt: epochMs.optional(),
    acknowledged: z.object({ by: z.string(), at: epochMs, note: z.string().optional(), via: z.enum(['console', 'api', 'link']) }).optional(),
    sensorIds: z.array(z.string()),
    affectedDependents: z.number().int(),
    escalationStep: z.number().int(),
  })
  .meta({ id: 'Alert' });

export const overviewSchema = z
  .object({
    generatedAt: epochMs,
    totals: stateCountsSchema,
    bySystem: z.array(z.object({ system: z.enum(CLINICAL_SYSTEMS), counts: stateCountsSchema })),
    bySite: z.array(z.object({ id: z.string(), name: z.string(), counts: stateCountsSchema })),
    down: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          path: z.array(z.string()),
          system: z.enum(CLINICAL_SYSTEMS).nullable(),
          since: epochMs.nullable(),
          message: z.string().nullable(),
          error: z.string().nullable(),
          acknowledged: z.looseObject({ by: z.string(), at: epochMs }).nullable(),
        }),
      ),
      total: z.number().int(),
      limit: z.number().int(),
      offset: z.number().int(),
    }),
    alerts: z.object({ unacknowledged: z.number().int(), acknowledged: z.number().int(), items: z.array(alertSchema) }).nullable().describe('Null while alerting is not running'),
  })
  .meta({ id: 'Overview' });

export const treePageSchema = z
  .object({ generatedAt: epochMs, parent: nodeSummarySchema.nullable(), items: z.array(nodeSummarySchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .meta({ id: 'TreePage' });

export const nodeDetailSchema = z
  .object({
    id: z.string(),
    type: z.enum(NODE_TYPES),
    name: z.string(),
    parentId: z.string().nullable(),
    path: z.array(pathItemSchema),
    childCount: z.number().int(),
    entry: z.record(z.string(), z.unknown()).describe('The object as written in the YAML config, without its children'),
    effective: z.record(z.string(), z.unknown()).describe('Settings after inheritance'),
    configVersion: z.number().int(),
  })
  .meta({ id: 'NodeDetail' });

export const sensorDetailSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    kindTitle: z.string().optional(),
    path: z.array(pathItemSchema),
    settings: z.record(z.string(), z.unknown()),
    effective: z.record(z.string(), z.unknown()),
    status: sensorStatusSchema.nullable(),
    channels: z.array(z.looseObject({ key: z.string(), name: z.string(), unit: z.string(), lastValue: z.number().nullable() })),
  })
  .meta({ id: 'SensorDetail' });

export const historySchema = z
  .object({
    sensorId: z.string(),
    channel: z.string(),
    from: epochMs,
    to: epochMs,
    resolution: z.string().describe('The stored resolution the points come from (raw, 1m, 1h, 1d, ...)'),
    points: z.array(z.object({ ts: epochMs, min: z.number(), avg: z.number(), max: z.number(), count: z.number().int() })),
  })
  .meta({ id: 'History' });

export const alertListSchema = z.object({ items: z.array(alertSchema), next: z.string().nullable() }).meta({ id: 'AlertList' });

export const eventListSchema = z
  .object({
    events: z.array(
      z.object({ id: z.number().int(), sensorId: z.string(), ts: epochMs, from: z.enum(STATES), to: z.enum(STATES), pauseReason: z.string().optional(), reason: z.string(), message: z.string().optional() }).meta({ id: 'StateEvent' }),
    ),
    next: z.number().int().nullable().describe('Cursor for the next page (`before`), null at the end'),
  })
  .meta({ id: 'EventList' });

export const searchResultSchema = z
  .object({ items: z.array(nodeSummarySchema.extend({ parentId: z.string().nullable() })), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .meta({ id: 'SearchResult' });
