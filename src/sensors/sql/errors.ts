// Error codes of the sql kind: registered when the module loads, so that every code a sql Reading
// carries is in the catalogue.

import { registerErrors } from '../../core/errors.ts';

registerErrors({
  SQL_AUTH: { message: 'SQL: the database refused the user name or password', http: 502 },
  SQL_ERROR: { message: 'SQL: the database reported an error', http: 502 },
  SQL_TIMEOUT: { message: 'SQL: the query ran longer than the statement timeout', http: 504 },
  SQL_NOT_NUMERIC: { message: 'SQL: the selected column is not a number', http: 502 },
  SQL_NO_ROWS: { message: 'SQL: the query returned no row to take the value from', http: 502 },
  SQL_READ_ONLY: { message: 'SQL: the query tried to change data; sql sensors only read', http: 502 },
  SQL_UNKNOWN_DATABASE: { message: 'SQL: the database does not exist on the server', http: 502 },
});
