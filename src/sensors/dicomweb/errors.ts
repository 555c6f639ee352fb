// Catalogue entries for DICOMweb checks, registered when the dicomweb kind loads.

import { registerErrors } from '../../core/errors.ts';

registerErrors({
  DICOMWEB_BAD_RESPONSE: { message: 'DICOMweb: the server answered something that is not a valid DICOM JSON response', http: 502 },
  DICOMWEB_UNEXPECTED_COUNT: { message: 'DICOMweb: the study search returned an unexpected number of studies', http: 502 },
  DICOMWEB_RESPONSE_TOO_LARGE: { message: 'DICOMweb: the response is larger than the allowed maximum', http: 502 },
});
