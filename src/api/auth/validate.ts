// Field errors that a route finds after its input passed the route's zod schemas (a weak password,
// an unknown role): answered as the same validation problem as the schemas' own, naming the field
// (`body.password`), so that the console shows the message at that field.

import { ApiProblem, validationProblem } from '../problem.ts';

export function fieldError(path: string, message: string): ApiProblem {
  return new ApiProblem(validationProblem([{ path, message }]));
}
