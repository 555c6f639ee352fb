// The catalogue of exposure findings: what the active exposure checks (dicom-exposure,
// hl7-exposure, tls-audit, insecure-services) can find, the standard each one breaks, how bad it
// is, and the runbook an operator follows now. Each finding is also an error code in the one error
// catalogue, so a Reading names it and the console explains it like any other code.

import { registerErrors } from '../../core/errors.ts';

export const EXPOSURE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type ExposureSeverity = (typeof EXPOSURE_SEVERITIES)[number];

export interface ExposureFindingType {
  /** Catalogue code, also the Reading's error code. */
  readonly id: string;
  readonly title: string;
  /** The standard (and section) the finding is judged against, as shown in messages. */
  readonly standard: string;
  readonly severity: ExposureSeverity;
  /** What the operator should do now, in order. */
  readonly runbook: string;
}

const PS3_15_TLS = 'DICOM PS3.15 Annex B (secure transport connection profiles), MDS2 TXCF';
const BCP195 = 'BCP 195 (RFC 8996, RFC 9325), NIST SP 800-131A';

const FINDINGS = [
  {
    id: 'EXPOSURE_DICOM_ANY_CALLED_AE',
    title: 'DICOM node accepts associations addressed to any called AE title',
    standard: 'DICOM PS3.15 (node authentication), MDS2 NAUT',
    severity: 'medium',
    runbook:
      'Configure the device to accept only its own AE title (most PACS and modalities have a "check called AE" option). Until then, restrict port access to the modalities and systems that need it with a firewall or VLAN ACL. Ask the manufacturer if the setting is not exposed.',
  },
  {
    id: 'EXPOSURE_DICOM_ANY_CALLING_AE',
    title: 'DICOM node accepts associations from any calling AE title',
    standard: 'DICOM PS3.15 (node authentication), MDS2 NAUT',
    severity: 'high',
    runbook:
      'Enable the device\'s list of known peers (calling AE title, ideally bound to IP address) so that unknown systems are rejected. Restrict the DICOM port at the network level to the known peers. Review the device\'s association log for unknown calling AE titles.',
  },
  {
    id: 'EXPOSURE_DICOM_UNAUTH_QUERY',
    title: 'DICOM node answers a C-FIND query from an unknown AE title (patient data can be queried without authorization)',
    standard: 'DICOM PS3.15 (node authentication, access control), MDS2 NAUT / AUTH',
    severity: 'critical',
    runbook:
      'Treat as a confidentiality incident risk: block the DICOM port from networks outside the imaging VLAN now, then restrict query/retrieve to registered peers on the device (calling AE and IP address). Inform the data protection officer if unknown peers appear in the query logs. Contact the manufacturer for access-control settings.',
  },
  {
    id: 'EXPOSURE_DICOM_NO_TLS',
    title: 'DICOM TLS is not offered (images and patient data travel in plaintext)',
    standard: PS3_15_TLS,
    severity: 'medium',
    runbook:
      'Plan DICOM TLS (port 2762) with the manufacturer and the peers that connect to this node. Meanwhile keep DICOM traffic inside a segmented imaging network and document the compensating control in the risk register.',
  },
  {
    id: 'EXPOSURE_DICOM_TLS_WEAK',
    title: 'DICOM TLS is offered with an outdated protocol version',
    standard: `DICOM PS3.15 Annex B.9 (BCP 195 TLS profile), ${BCP195}`,
    severity: 'high',
    runbook:
      'Disable TLS 1.0/1.1 on the device\'s DICOM TLS port (the BCP 195 profile of PS3.15 requires TLS 1.2 or later). If the firmware cannot, ask the manufacturer for an update and restrict the port to known peers meanwhile.',
  },
  {
    id: 'EXPOSURE_HL7_PLAINTEXT',
    title: 'HL7 v2 interface accepts and answers plaintext MLLP where TLS is expected',
    standard: 'MDS2 TXCF / TXIG (transmission confidentiality and integrity), IHE ITI ATNA secure node',
    severity: 'high',
    runbook:
      'Disable the plaintext MLLP listener on the interface engine or device, or firewall it to the loopback/engine host only. Move senders to MLLP over TLS (with client certificates where the engine supports them). Check the engine log for senders still using plaintext.',
  },
  {
    id: 'EXPOSURE_HL7_TLS_FAILED',
    title: 'HL7 v2 interface does not complete an MLLP exchange over TLS where TLS is expected',
    standard: 'MDS2 TXCF (transmission confidentiality), IHE ITI ATNA secure node',
    severity: 'medium',
    runbook:
      'Check the TLS listener of the interface engine (certificate, trusted CA, protocol versions) and the sensor\'s TLS settings. Senders that cannot use TLS fall back to plaintext or stop: confirm with the interface team which applies.',
  },
  {
    id: 'EXPOSURE_TLS_SSLV3',
    title: 'SSL 3.0 is offered',
    standard: `${BCP195}, RFC 7568`,
    severity: 'high',
    runbook:
      'Disable SSL 3.0 on the service now (it is broken: POODLE). If the device cannot, ask the manufacturer for a fix and restrict the port to the systems that must reach it.',
  },
  {
    id: 'EXPOSURE_TLS_OLD_PROTOCOL',
    title: 'TLS 1.0 or TLS 1.1 is offered',
    standard: BCP195,
    severity: 'medium',
    runbook:
      'Disable TLS 1.0 and 1.1 (deprecated by RFC 8996); keep TLS 1.2 and 1.3. Check first that every client of the device supports TLS 1.2. If the device cannot, record the compensating control (network restriction) and ask the manufacturer for an update.',
  },
  {
    id: 'EXPOSURE_TLS_CIPHER_BROKEN',
    title: 'A broken cipher suite is accepted (RC4, NULL, EXPORT or anonymous)',
    standard: `${BCP195}, RFC 7465`,
    severity: 'high',
    runbook:
      'Remove RC4, NULL, EXPORT and anonymous cipher suites from the service configuration now; these give no or breakable confidentiality. If the device cannot be reconfigured, restrict the port and contact the manufacturer.',
  },
  {
    id: 'EXPOSURE_TLS_CIPHER_3DES',
    title: 'A 3DES cipher suite is accepted',
    standard: `${BCP195} (3DES disallowed after 2023)`,
    severity: 'medium',
    runbook: 'Remove 3DES (DES-CBC3) cipher suites from the service configuration (Sweet32). Check that every client supports AES-GCM or ChaCha20 first.',
  },
  {
    id: 'EXPOSURE_TLS_SHORT_KEY',
    title: 'The certificate key is shorter than NIST SP 800-131A allows',
    standard: 'NIST SP 800-131A (RSA/DSA at least 2048 bits, EC at least 224 bits), BCP 195',
    severity: 'high',
    runbook: 'Issue a new certificate with an RSA key of at least 2048 bits (3072 preferred) or an EC P-256 key, install it on the device, and revoke the old one.',
  },
  {
    id: 'EXPOSURE_TLS_SHA1_SIGNATURE',
    title: 'The certificate is signed with SHA-1 or MD5',
    standard: 'NIST SP 800-131A (SHA-1 disallowed for signatures), BCP 195',
    severity: 'medium',
    runbook: 'Re-issue the certificate with a SHA-256 (or stronger) signature from the hospital CA and install it on the device.',
  },
  {
    id: 'EXPOSURE_TELNET',
    title: 'Telnet is open (administrative access in plaintext)',
    standard: 'MDS2 SAHD (system and application hardening), MDS2 TXCF',
    severity: 'high',
    runbook:
      'Disable Telnet on the device; use SSH or the manufacturer\'s secure service access. If the manufacturer requires Telnet for service, block it at the network level and open it only for a supervised service session.',
  },
  {
    id: 'EXPOSURE_FTP',
    title: 'FTP is open (files and passwords in plaintext)',
    standard: 'MDS2 SAHD (system and application hardening), MDS2 TXCF',
    severity: 'medium',
    runbook:
      'Disable FTP or replace it with SFTP/FTPS. If anonymous login is allowed, disable it now and review which files were reachable. Restrict the port to the systems that need it.',
  },
  {
    id: 'EXPOSURE_HTTP_ADMIN',
    title: 'An administration or login page is served over plain HTTP',
    standard: 'MDS2 SAHD / TXCF, BCP 195 (use TLS for credentials)',
    severity: 'high',
    runbook:
      'Serve the administration interface over HTTPS only and redirect HTTP to it; change the passwords that were used over plain HTTP. If the device cannot, restrict the port to an administration network.',
  },
  {
    id: 'EXPOSURE_SNMP_DEFAULT_COMMUNITY',
    title: 'SNMP answers a default community (public or private)',
    standard: 'MDS2 SAHD (default credentials), MDS2 NAUT',
    severity: 'high',
    runbook:
      'Change the SNMP communities to long random values, or better move to SNMPv3 with authPriv; restrict SNMP to the monitoring servers. A write community ("private") that answers is urgent: disable it now.',
  },
] as const satisfies readonly ExposureFindingType[];

export type ExposureCode = (typeof FINDINGS)[number]['id'];

export const EXPOSURE_FINDINGS: ReadonlyMap<string, ExposureFindingType> = new Map(FINDINGS.map((f) => [f.id, f]));

/** The finding type of a code; throws for a code that is not a finding (a bug in a kind). */
export function exposureFinding(code: ExposureCode): ExposureFindingType {
  return EXPOSURE_FINDINGS.get(code)!;
}

export function isExposureCode(code: string): code is ExposureCode {
  return EXPOSURE_FINDINGS.has(code);
}

/** A finding that answered (HTTP 200): the device was reached, its posture is what is reported. */
registerErrors(Object.fromEntries(FINDINGS.map((f) => [f.id, { message: `${f.title} (${f.standard})`, http: 200 }])));

const RANK: Readonly<Record<ExposureSeverity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

export function severityRank(s: ExposureSeverity): number {
  return RANK[s];
}
