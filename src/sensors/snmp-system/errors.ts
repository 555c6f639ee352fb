// Catalogue codes of the SNMP sensor kinds (snmp-system, snmp-interface, snmp-oid) and how a
// protocols/snmp failure or a missing value becomes one of them. Registered once on import.

import { codeFromSystemError, registerErrors } from '../../core/errors.ts';
import type { Reading } from '../../core/model.ts';
import { SnmpFailure } from '../../protocols/snmp/client.ts';
import type { SnmpValue } from '../../protocols/snmp/values.ts';
import { failed } from '../sensor.ts';

registerErrors({
  SNMP_TIMEOUT: { message: 'The SNMP agent did not answer (with SNMP v1/v2c a wrong community looks the same: the agent stays silent)', http: 504 },
  SNMP_AUTH: { message: 'SNMPv3 authentication or privacy failed: check the user, the passwords and the protocols', http: 502 },
  SNMP_PRIV_UNSUPPORTED: { message: 'The SNMPv3 privacy protocol is not available on this probe', http: 500 },
  SNMP_NO_SUCH_OBJECT: { message: 'The SNMP agent does not know this object (noSuchObject): the OID or MIB is not supported', http: 502 },
  SNMP_NO_SUCH_INSTANCE: { message: 'The SNMP agent has no such instance (noSuchInstance): wrong index, or the row is gone', http: 502 },
  SNMP_END_OF_MIB: { message: 'The SNMP agent has nothing at or after this OID (endOfMibView)', http: 502 },
  SNMP_ERROR_STATUS: { message: 'The SNMP agent refused the request with an error status', http: 502 },
  SNMP_BAD_RESPONSE: { message: 'The SNMP answer could not be understood (malformed or unexpected)', http: 502 },
  SNMP_INTERFACE_NOT_FOUND: { message: 'The network interface was not found on the device', http: 502 },
  SNMP_INTERFACE_DOWN: { message: 'The network interface is down although it is administratively up', http: 502 },
  SNMP_REBOOTED: { message: 'The device rebooted (its uptime went back)', http: 200 },
  SNMP_VALUE_NOT_NUMERIC: { message: 'The SNMP value is not a number and no lookup table maps it', http: 502 },
});

/** A failed request as a Reading with its catalogue code. */
export function failureReading(e: unknown, phases?: Reading['phases']): Reading {
  if (e instanceof SnmpFailure) {
    switch (e.code) {
      case 'timeout':
        return failed('SNMP_TIMEOUT', e.message, [], phases);
      case 'auth':
        return failed('SNMP_AUTH', e.message, [], phases);
      case 'errorStatus':
        return failed('SNMP_ERROR_STATUS', `agent answered ${e.detail ?? 'an error'} (${e.message})`, [], phases);
      case 'badResponse':
        return failed('SNMP_BAD_RESPONSE', e.message, [], phases);
      case 'aborted':
        return failed('ABORTED', e.message, [], phases);
      case 'unsupported':
        return failed('SNMP_PRIV_UNSUPPORTED', e.message, [], phases);
      case 'socket':
        return failed(codeFromSystemError({ code: e.detail }), e.message, [], phases);
    }
  }
  return failed('INTERNAL', e instanceof Error ? e.message : String(e), [], phases);
}

/** A missing value (noSuchObject...) of `what` as a failed Reading. */
export function missingReading(v: Extract<SnmpValue, { kind: 'missing' }>, what: string): Reading {
  switch (v.reason) {
    case 'noSuchObject':
      return failed('SNMP_NO_SUCH_OBJECT', `${what}: noSuchObject`);
    case 'noSuchName':
      return failed('SNMP_NO_SUCH_OBJECT', `${what}: noSuchName (SNMPv1)`);
    case 'noSuchInstance':
      return failed('SNMP_NO_SUCH_INSTANCE', `${what}: noSuchInstance`);
    case 'endOfMibView':
      return failed('SNMP_END_OF_MIB', `${what}: endOfMibView`);
  }
}
