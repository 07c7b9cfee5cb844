import { defineErrors } from '../../kernel/errors.js';

export const paymentErrors = defineErrors({
  payment_not_found: { status: 404, title: 'Payment not found' },
  refund_not_found: { status: 404, title: 'Refund not found' },
  qr_code_not_found: { status: 404, title: 'QR code not found' },
  reconciliation_not_found: { status: 404, title: 'Reconciliation or line not found' },
  channel_not_configured: { status: 409, title: 'The merchant has no active account at this channel' },
  channel_config_invalid: { status: 400, title: 'The channel configuration is not valid' },
  channel_unavailable: { status: 502, title: 'The payment channel did not answer as expected' },
  barcode_unrecognised: { status: 400, title: 'The payment code (付款码) is not a WeChat Pay or Alipay code' },
  barcode_channel_unsupported: { status: 400, title: 'Payment codes of this wallet are not accepted' },
  merchant_order_no_taken: { status: 409, title: 'This merchant order number is already used by another payment' },
  payment_not_closable: { status: 409, title: 'Only a payment that is not yet paid can be closed' },
  payment_not_refundable: { status: 409, title: 'Only a succeeded payment can be refunded' },
  refund_exceeds_paid: { status: 409, title: 'The refund would exceed what is left to refund' },
  refund_no_taken: { status: 409, title: 'This refund number was used for another refund' },
  bill_unreadable: { status: 400, title: 'The bill file could not be read' },
  line_already_resolved: { status: 409, title: 'This reconciliation line is already resolved' },
  operator_only: { status: 403, title: 'Only the operator can do this' },
  merchant_not_found: { status: 404, title: 'Merchant not found' },
  payment_input_invalid: { status: 400, title: 'The payment request is not valid' },
  purpose_payment_in_progress: { status: 409, title: 'Another payment for this purpose is in progress and could not be closed' },
  purpose_already_paid: { status: 409, title: 'This purpose is already paid by a payment of another amount' },
  purpose_mismatch: { status: 409, title: 'The payment was not made for this purpose' },
});

export type PaymentErrorCode = keyof typeof paymentErrors.specs;
