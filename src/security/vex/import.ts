// VEX import as one step: read the document, find the findings it speaks for, apply and audit.

import type { SecurityStore } from '../store.ts';
import { SecurityInputError } from '../service/service.ts';
import type { Actor, Triage } from './triage.ts';
import { planVex } from './vex.ts';
import type { VexScope } from './vex.ts';

export interface VexImportResult {
  readonly format: 'cyclonedx' | 'csaf';
  readonly document: string;
  readonly applied: number;
  readonly unmatched: readonly string[];
}

export async function importVex(store: SecurityStore, triage: Triage, text: string, fileName: string, scope: VexScope, actor: Actor): Promise<VexImportResult> {
  const plan = planVex(text, fileName, await store.findings(), scope);
  if (!plan.ok) throw new SecurityInputError(plan.error);
  await triage.apply(plan.value.apply, plan.value.name, actor);
  return { format: plan.value.format, document: plan.value.name, applied: plan.value.apply.length, unmatched: plan.value.unmatched };
}
