// The membership module's door (大会员): programs, members and cards, tiers, the points ledger with
// lots, stored value (储值) with principal and bonus, coupons (卡券) and the atomic checkout.
import { checkoutConsoleRoutes } from './checkout-console-routes.js';
import { couponGiftRoutes } from './coupon-gift-routes.js';
import { registerCouponGiftSubscriber } from './coupon-gifts.js';
import { registerMembershipMergeHandler } from './identity-merge.js';
import { registerMembershipPaymentSubscribers } from './payment-events.js';
import { withPaymentRoutes } from './payment-routes.js';
import { registerMembershipPolicies } from './policies.js';
import { membershipPublicRoutes } from './consumer-routes.js';
import { membershipAllRoutes } from './member-code-routes.js';

registerMembershipPolicies();
// ID+ merges move members, points, stored value, coupons and tier metric (identity-merge.ts).
registerMembershipMergeHandler();
// payment.succeeded / refunded / failed / closed and member.joined (payment-events.ts).
registerMembershipPaymentSubscribers();
// Coupons given on joining and on qualifying payments (coupon-gifts.ts).
registerCouponGiftSubscriber();

export { membershipErrors } from './errors.js';
export { enrolMember, getMember, findMember, type EnrolInput, type MemberRow } from './members.js';
export { earnInTransaction, spendInTransaction as spendPointsInTransaction, reverseInTransaction, expirePoints, type EarnInput, type ReversalInput, type PointsOperationResult } from './points-ledger.js';
export { checkLedgersOf, type LedgerCheck } from './ledger-check.js';
export { checkout, type CheckoutInput, type CheckoutResult } from './checkout.js';
export { evaluateAllTiers } from './tiers.js';
export { runMembershipWorkers, type MembershipRound } from './workers.js';
// The card's dynamic code → member (cashier scans; 30 s steps, current and previous only).
export { memberIdFromCode } from './member-codes.js';

export const membershipModule = {
  name: 'membership',
  // + checkout receipts and refunds, top-ups paid through payments, top-up plans (payment-routes.ts).
  routes: withPaymentRoutes(async (instance, deps) => {
    await membershipAllRoutes(instance, deps);
    await couponGiftRoutes(instance, deps);
    await checkoutConsoleRoutes(instance, deps); // preview and receipts list (checkout-console-routes.ts)
  }),
  // The member's H5 pages: join at payment, entry page, member card (consumer-routes.ts).
  publicRoutes: membershipPublicRoutes,
};
