// Catalogue entries for the listening kinds fed by receivers (syslog, snmp-trap).

import { registerErrors } from '../../core/errors.ts';

export const RECEIVER_SENSOR_ERRORS = {
  RECEIVER_NOT_LISTENING: { message: 'The sensor is not subscribed to its receiver yet (it starts with the sensor)', http: 503 },
} as const;

registerErrors(RECEIVER_SENSOR_ERRORS);
