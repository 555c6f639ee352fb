// The error codes of access control, added to the one catalogue: what a browser or an API client
// is told when it is not logged in, not allowed, throttled or locked out.

import { registerErrors } from '../../core/errors.ts';

export const AUTH_ERRORS = {
  AUTH_REQUIRED: { message: 'Log in first: this needs an authenticated session or API token', http: 401 },
  LOGIN_FAILED: { message: 'Wrong login name or password', http: 401 },
  TOTP_REQUIRED: { message: 'Enter the code from your authenticator app', http: 401 },
  TOTP_INVALID: { message: 'The authenticator code is wrong, expired or already used', http: 401 },
  FORBIDDEN: { message: 'You do not have the rights for this', http: 403 },
  CSRF_INVALID: { message: 'The request lacks the session’s anti-forgery token (X-CSRF-Token)', http: 403 },
  RATE_LIMITED: { message: 'Too many login attempts: wait and try again', http: 429 },
  ACCOUNT_LOCKED: { message: 'The account is locked after repeated failed logins: wait and try again', http: 423 },
  SETUP_DONE: { message: 'Wardwatch is already set up: log in instead', http: 409 },
  SETUP_TOKEN_INVALID: { message: 'The setup token is wrong: use the link printed on the server console', http: 403 },
  CONFLICT: { message: 'That name is already taken', http: 409 },
  LDAP_UNAVAILABLE: { message: 'The directory server (LDAP) could not be reached', http: 502 },
} as const;

registerErrors(AUTH_ERRORS);

export type AuthErrorCode = keyof typeof AUTH_ERRORS;
