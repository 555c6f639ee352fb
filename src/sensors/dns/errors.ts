// Error codes of the dns kind that the shared catalogue does not have yet; registered when the
// kind's module loads, so that every code a dns Reading carries is in the catalogue.

import { registerErrors } from '../../core/errors.ts';

registerErrors({
  DNS_BAD_RESPONSE: { message: 'DNS: the server sent an answer that could not be understood', http: 502 },
});
