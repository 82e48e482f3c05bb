import type { ReceiverError } from 'net-snmp';

/** Why a packet was refused; the `reason` label of corrgate_receiver_refused_traps_total. */
export type RefusalReason =
  | 'unknown_community'
  | 'unknown_user'
  | 'bad_auth'
  | 'bad_privacy'
  | 'unsupported_pdu'
  | 'malformed';

// ResponseInvalidCode values of net-snmp 3.29.
const ECouldNotDecrypt = 4;
const EAuthFailure = 5;

/**
 * Classifies an error net-snmp's receiver reports for a packet. net-snmp gives each case its own
 * error class and, within RequestFailedError, a fixed message; those are what is matched here (and
 * pinned by the tests against real senders). The messages name the community or the digests, so
 * they are never logged.
 */
export function refusalReason(err: ReceiverError): RefusalReason {
  switch (err.name) {
    case 'RequestFailedError': {
      const m = err.message;
      if (m.startsWith('Local community not found')) return 'unknown_community';
      if (m.startsWith('Local user not found')) return 'unknown_user';
      // The user is configured for a higher security level than the message offers.
      if (m.includes('requires authentication')) return 'bad_auth';
      if (m.includes('requires privacy')) return 'bad_privacy';
      return 'malformed';
    }
    case 'ResponseInvalidError':
      // The PDU is decrypted before the digest is checked, so a wrong privacy key shows as
      // bad_privacy even when the authentication key is wrong as well.
      if (err.code === EAuthFailure) return 'bad_auth';
      if (err.code === ECouldNotDecrypt) return 'bad_privacy';
      return 'malformed';
    case 'RequestInvalidError':
      // A PDU a notification receiver does not serve (a Get other than v3 discovery, a Set ...).
      return 'unsupported_pdu';
    default:
      // ProcessingError: the packet could not be decoded at all.
      return 'malformed';
  }
}
