// Catalogue entries for FHIR checks, registered when the fhir kind loads.

import { registerErrors } from '../../core/errors.ts';

registerErrors({
  FHIR_BAD_CAPABILITY: { message: 'FHIR: the server did not return a valid CapabilityStatement at /metadata', http: 502 },
  FHIR_BAD_RESPONSE: { message: 'FHIR: the search did not return a valid Bundle', http: 502 },
  FHIR_UNEXPECTED_COUNT: { message: 'FHIR: the search returned an unexpected number of results', http: 502 },
  FHIR_AUTH_FAILED: { message: 'FHIR: authentication failed (token endpoint or server refused our credentials)', http: 502 },
  FHIR_RESPONSE_TOO_LARGE: { message: 'FHIR: the response is larger than the allowed maximum', http: 502 },
});
