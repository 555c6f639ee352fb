// Error codes of the push kind: registered when the module loads, so that every code a push
// Reading carries is in the catalogue.

import { registerErrors } from '../../core/errors.ts';

registerErrors({
  PUSH_MISSING: { message: 'Push: no report arrived within the expected period', http: 504 },
  PUSH_REPORTED_DOWN: { message: 'Push: the device reported itself down', http: 502 },
  PUSH_NOT_LISTENING: { message: 'Push: the receiver for this sensor is not listening', http: 500 },
});
