// Which inventories findings are computed for: every device (its own components plus its model's),
// and every model no device uses yet (so a model's SBOM shows its findings before deployment).

import type { DeviceInventory, InventoryComponent, ModelInventory } from '../inventory/model.ts';
import type { SubjectComponent } from '../match/all.ts';

export interface Subject {
  /** Device id, or "model:<name>". */
  readonly id: string;
  readonly deviceId?: string | undefined;
  readonly model?: string | undefined;
  readonly manufacturer?: string | undefined;
  readonly components: readonly InventoryComponent[];
}

/** The device itself as a component (its model and firmware version), for advisories that name devices. */
export const DEVICE_COMPONENT = '(device)';

function selfComponent(model: string | undefined, version: string | undefined, manufacturer: string | undefined): InventoryComponent[] {
  return model === undefined ? [] : [{ id: DEVICE_COMPONENT, name: model, version, supplier: manufacturer, dependsOn: [] }];
}

export function subjectsOf(devices: readonly DeviceInventory[], models: readonly ModelInventory[]): Subject[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const used = new Set<string>();
  const out: Subject[] = [];
  for (const d of devices) {
    const m = d.model !== undefined ? byName.get(d.model) : undefined;
    if (m !== undefined) used.add(m.name);
    const own = new Set(d.components.map((c) => c.id));
    const manufacturer = d.manufacturer ?? m?.manufacturer;
    out.push({
      id: d.deviceId, deviceId: d.deviceId, model: d.model, manufacturer,
      components: [...selfComponent(d.model, d.version ?? m?.version, manufacturer), ...d.components, ...(m?.components ?? []).filter((c) => !own.has(c.id))],
    });
  }
  for (const m of models) {
    if (used.has(m.name)) continue;
    out.push({ id: `model:${m.name}`, model: m.name, manufacturer: m.manufacturer, components: [...selfComponent(m.name, m.version, m.manufacturer), ...m.components] });
  }
  return out;
}

export function toSubjectComponent(c: InventoryComponent): SubjectComponent {
  return { id: c.id, name: c.name, version: c.version, vendor: c.vendor, supplier: c.supplier, purl: c.purl, cpe: c.cpe };
}
