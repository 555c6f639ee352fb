// Catalogue entries for HL7 v2 / MLLP checks and the inbound feed receiver. Registered when the
// module loads (the hl7 and hl7-feed kinds import it), so the console can explain every code.

import { registerErrors } from '../../core/errors.ts';

export const HL7_ERRORS = {
  HL7_NACK_AE: { message: 'HL7: the receiver accepted the message but reported an application error (AE/CE)', http: 502 },
  HL7_NACK_AR: { message: 'HL7: the receiver rejected the message (AR/CR)', http: 502 },
  HL7_CONTROL_ID_MISMATCH: { message: 'HL7: the ACK does not refer to the message sent (MSA-2 is not our control ID)', http: 502 },
  HL7_NO_ACK: { message: 'HL7: the receiver took the message but sent no acknowledgement in time', http: 504 },
  HL7_GARBAGE: { message: 'HL7: the reply is not a valid HL7 acknowledgement', http: 502 },
  HL7_UNFRAMED: { message: 'HL7: the reply is not MLLP-framed (the peer may not speak MLLP, or needs TLS)', http: 502 },
  HL7_CLOSED_EARLY: { message: 'HL7: the receiver closed the connection without acknowledging', http: 502 },
  MLLP_FRAME_TOO_LARGE: { message: 'HL7: an MLLP frame is larger than the allowed maximum', http: 502 },
  HL7_TEMPLATE_INVALID: { message: 'HL7: the message template cannot be read or is not valid HL7', http: 400 },
  HL7_FEED_NOT_LISTENING: { message: 'HL7 feed: the receiver is not listening (port in use or not started yet)', http: 503 },
} as const;

registerErrors(HL7_ERRORS);
