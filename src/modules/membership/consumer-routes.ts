// The member's H5 pages (outside /v1, no staff credentials): the pay-result slot (支付即会员), the
// merchant's entry page, the member card with its rotating code, marketing opt-in/out, logout.
// Identity comes from two signed cookies only: the payer ticket (payments) and the member session.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import QRCode from 'qrcode';
import { AppError } from '../../kernel/errors.js';
import { StrictObject, type ModuleDeps } from '../../http/route-kit.js';
import { PAYER_TICKET_COOKIE } from '../payments/index.js';
import { findMerchantById } from '../platform/index.js';
import { code128Svg } from './code128.js';
import { activeMemberIds, bindPayerToMember, cardView, joinAtPayment, joinFromEntryPage, joinOffer, memberOfPerson, payerProof, pointsOf, setMarketingOptIn, tierNameOf, type JoinForm } from './consumer.js';
import { issueSession, MEMBER_SESSION_COOKIE, readSession, refreshedSession, sessionCookieOptions, type MemberSession } from './consumer-session.js';
import { bindOffer, cardPage, fragment, joinForm, memberSummary, messagePage, page } from './h5-views.js';
import { CODE_STEP_SECONDS, timeStep } from './member-code.js';
import { currentMemberCode } from './member-codes.js';
import { findMember } from './members.js';

const PaymentParams = StrictObject({ paymentId: Type.String({ pattern: '^pay_[0-9a-z]{26}$' }) });
const MerchantParams = StrictObject({ merchantId: Type.String({ pattern: '^mch_[0-9a-z]{26}$' }) });
const JoinBody = Type.Object({
  consent_version: Type.String({ minLength: 1, maxLength: 40 }),
  accept_membership: Type.Optional(Type.String({ maxLength: 8 })),
  accept_marketing: Type.Optional(Type.String({ maxLength: 8 })),
  phone: Type.Optional(Type.String({ maxLength: 20 })),
});
const hide = { hide: true } as const;

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

function formOf(body: { consent_version: string; accept_membership?: string | undefined; accept_marketing?: string | undefined; phone?: string | undefined }): JoinForm {
  const phone = body.phone?.replace(/[\s-]/g, '');
  return { consentVersion: body.consent_version, acceptMembership: body.accept_membership === 'on', acceptMarketing: body.accept_marketing === 'on', phone: phone || undefined };
}

function wordsFor(error: unknown): string {
  if (!(error instanceof AppError)) return '系统繁忙，请稍后再试';
  switch (error.code) {
    case 'consent_required':
      return '请阅读并勾选会员服务条款';
    case 'phone_required':
      return '请填写手机号';
    case 'validation_failed':
      return '请填写正确的手机号';
    case 'enrolment_closed':
      return '商户暂未开放此方式入会';
    case 'member_already_enrolled':
      return '这个手机号已办理会员卡，请付款后在付款结果页或到店查看';
    default:
      return '暂时无法加入，请稍后再试';
  }
}

export async function membershipPublicRoutes(instance: FastifyInstance, { db, config }: ModuleDeps): Promise<void> {
  await instance.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
    });
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();

    const startSession = (reply: FastifyReply, session: { merchantId: string; memberId: string; personId: string | null }) =>
      reply.setCookie(MEMBER_SESSION_COOKIE, issueSession(config, session, new Date()), sessionCookieOptions(config));

    /** The visitor's member session, refreshed when due; null without one (or for a member gone). */
    async function sessionOf(request: FastifyRequest, reply: FastifyReply, now: Date): Promise<MemberSession | null> {
      const session = readSession(config, request.cookies[MEMBER_SESSION_COOKIE], now);
      if (!session) return null;
      if (!(await activeMemberIds(db, session.merchantId, [session.memberId])).has(session.memberId)) {
        reply.clearCookie(MEMBER_SESSION_COOKIE, { path: '/h5' });
        return null;
      }
      const fresh = refreshedSession(config, session, now);
      if (fresh) reply.setCookie(MEMBER_SESSION_COOKIE, fresh, sessionCookieOptions(config));
      return session;
    }

    // ---- 支付即会员: the pay-result page's slot ----
    app.get('/h5/members/after-payment/:paymentId', { config: { public: true }, schema: { ...hide, params: PaymentParams } }, async (request, reply) => {
      const now = new Date();
      const proof = await payerProof(db, config, request.cookies[PAYER_TICKET_COOKIE], now, request.params.paymentId);
      // Not the paying browser (or not paid): the slot stays empty rather than saying why.
      if (!proof) return html(reply, 200, '');
      const offer = await joinOffer(db, proof.merchantId);
      const member = await memberOfPerson(db, proof.merchantId, proof.payment.person_id);
      if (member) {
        const points = await pointsOf(db, proof.merchantId, member.id, now);
        return html(
          reply,
          200,
          fragment(
            memberSummary({
              program: offer.program,
              merchantName: offer.merchantName,
              cardNumber: member.cardNumber,
              tierName: await tierNameOf(db, proof.merchantId, member.tierCode),
              available: points.available,
              pending: points.pending,
              action: `/h5/members/enter/${proof.payment.id}`,
            }),
          ),
        );
      }
      if (!proof.payment.person_id) return html(reply, 200, '');
      // Signed in to a card made without a payment account: offer to bind this one to it.
      const session = await sessionOf(request, reply, now);
      const sessionMember = session?.merchantId === proof.merchantId ? await findMember(db, proof.merchantId, session.memberId) : null;
      if (sessionMember && !sessionMember.personId) {
        return html(reply, 200, fragment(bindOffer({ program: offer.program, merchantName: offer.merchantName, cardNumber: sessionMember.cardNumber, action: `/h5/members/bind/${proof.payment.id}` })));
      }
      if (!offer.program.joinRules.at_payment) return html(reply, 200, '');
      return html(reply, 200, fragment(joinForm({ ...offer, action: `/h5/members/join/${proof.payment.id}`, phoneRequired: offer.program.joinRules.require_phone })));
    });

    app.post(
      '/h5/members/join/:paymentId',
      { config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { ...hide, params: PaymentParams, body: JoinBody } },
      async (request, reply) => {
        const proof = await payerProof(db, config, request.cookies[PAYER_TICKET_COOKIE], new Date(), request.params.paymentId);
        if (!proof) return html(reply, 403, messagePage('无法加入', '请在完成付款的手机上加入会员（付款后 30 分钟内有效）。'));
        const form = formOf(request.body);
        try {
          const member = await joinAtPayment(db, proof, form);
          startSession(reply, { merchantId: proof.merchantId, memberId: member.id, personId: member.personId });
          return reply.redirect('/h5/members/card', 303);
        } catch (error) {
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          const offer = await joinOffer(db, proof.merchantId);
          return html(reply, 400, joinPage(offer, `/h5/members/join/${proof.payment.id}`, offer.program.joinRules.require_phone, wordsFor(error), form.phone));
        }
      },
    );

    app.post('/h5/members/bind/:paymentId', { config: { public: true }, schema: { ...hide, params: PaymentParams } }, async (request, reply) => {
      const now = new Date();
      const proof = await payerProof(db, config, request.cookies[PAYER_TICKET_COOKIE], now, request.params.paymentId);
      const session = await sessionOf(request, reply, now);
      if (!proof || !session || session.merchantId !== proof.merchantId) return html(reply, 403, messagePage('无法绑定', '请在完成付款、并已登录会员卡的手机上操作。'));
      try {
        const member = await bindPayerToMember(db, proof, session.memberId, now);
        startSession(reply, { merchantId: member.merchantId, memberId: member.id, personId: member.personId });
        return reply.redirect('/h5/members/card', 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return html(reply, 409, messagePage('无法绑定', '这个付款账户或会员卡已经绑定过，请到店处理。'));
      }
    });

    app.post('/h5/members/enter/:paymentId', { config: { public: true }, schema: { ...hide, params: PaymentParams } }, async (request, reply) => {
      const proof = await payerProof(db, config, request.cookies[PAYER_TICKET_COOKIE], new Date(), request.params.paymentId);
      const member = proof ? await memberOfPerson(db, proof.merchantId, proof.payment.person_id) : null;
      if (!proof || !member) return html(reply, 403, messagePage('无法打开会员卡', '请在完成付款的手机上打开（付款后 30 分钟内有效）。'));
      startSession(reply, { merchantId: proof.merchantId, memberId: member.id, personId: member.personId });
      return reply.redirect('/h5/members/card', 303);
    });

    // ---- the merchant's entry page (a poster QR, the official account menu) ----
    app.get('/h5/m/:merchantId', { config: { public: true }, schema: { ...hide, params: MerchantParams } }, async (request, reply) => {
      const now = new Date();
      const { merchantId } = request.params;
      const merchant = await findMerchantById(db, merchantId);
      if (!merchant || merchant.status !== 'active') return html(reply, 404, messagePage('页面不存在', '找不到这个商户。'));
      const session = await sessionOf(request, reply, now);
      if (session?.merchantId === merchantId) return reply.redirect('/h5/members/card', 303);
      const offer = await joinOffer(db, merchantId);
      const proof = await payerProof(db, config, request.cookies[PAYER_TICKET_COOKIE], now);
      const payer = proof?.merchantId === merchantId ? proof : null;
      const member = payer ? await memberOfPerson(db, merchantId, payer.payment.person_id) : null;
      if (member) {
        return html(reply, 200, page(offer.program.name, `<form method="post" action="/h5/m/${merchantId}/enter"><button class="mp-btn" type="submit" data-testid="open-card">查看我的会员卡</button></form>`));
      }
      if (!offer.program.joinRules.h5) return html(reply, 200, messagePage(offer.program.name, '请到店加入会员。'));
      const phoneRequired = offer.program.joinRules.require_phone || !payer?.payment.person_id;
      return html(reply, 200, joinPage(offer, `/h5/m/${merchantId}/join`, phoneRequired));
    });

    app.post(
      '/h5/m/:merchantId/join',
      { config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } }, schema: { ...hide, params: MerchantParams, body: JoinBody } },
      async (request, reply) => {
        const { merchantId } = request.params;
        const merchant = await findMerchantById(db, merchantId);
        if (!merchant || merchant.status !== 'active') return html(reply, 404, messagePage('页面不存在', '找不到这个商户。'));
        const proof = await payerProof(db, config, request.cookies[PAYER_TICKET_COOKIE], new Date());
        const payer = proof?.merchantId === merchantId ? proof : null;
        const form = formOf(request.body);
        try {
          const member = await joinFromEntryPage(db, merchantId, payer, form);
          startSession(reply, { merchantId, memberId: member.id, personId: member.personId });
          return reply.redirect('/h5/members/card', 303);
        } catch (error) {
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          const offer = await joinOffer(db, merchantId);
          return html(reply, 400, joinPage(offer, `/h5/m/${merchantId}/join`, offer.program.joinRules.require_phone || !payer?.payment.person_id, wordsFor(error), form.phone));
        }
      },
    );

    app.post('/h5/m/:merchantId/enter', { config: { public: true }, schema: { ...hide, params: MerchantParams } }, async (request, reply) => {
      const proof = await payerProof(db, config, request.cookies[PAYER_TICKET_COOKIE], new Date());
      const member = proof?.merchantId === request.params.merchantId ? await memberOfPerson(db, proof.merchantId, proof.payment.person_id) : null;
      if (!member) return reply.redirect(`/h5/m/${request.params.merchantId}`, 303);
      startSession(reply, { merchantId: member.merchantId, memberId: member.id, personId: member.personId });
      return reply.redirect('/h5/members/card', 303);
    });

    // ---- the member card ----
    app.get('/h5/members/card', { config: { public: true }, schema: hide }, async (request, reply) => {
      const now = new Date();
      const session = await sessionOf(request, reply, now);
      if (!session) return html(reply, 401, messagePage('请先登录', '会员卡需要在加入会员的手机上打开；登录已过期时，请重新从付款结果页或商户页面进入。'));
      const view = await cardView(db, session.merchantId, session.memberId, now);
      const code = await codeView(view.code, now);
      return html(
        reply,
        200,
        cardPage(view, {
          codeUrl: '/h5/members/card/code',
          marketingAction: '/h5/members/marketing',
          logoutAction: '/h5/members/logout',
          qrSvg: code.qr_svg,
          barcodeSvg: code.barcode_svg,
          refreshInMs: code.refresh_in_ms,
        }),
      );
    });

    app.get('/h5/members/card/code', { config: { public: true }, schema: hide }, async (request, reply) => {
      const now = new Date();
      const session = await sessionOf(request, reply, now);
      if (!session) return reply.status(401).header('cache-control', 'no-store').send({ error: 'unauthenticated' });
      const member = await findMember(db, session.merchantId, session.memberId);
      return reply.header('cache-control', 'no-store').send(await codeView(await currentMemberCode(db, session.merchantId, member, now), now));
    });

    app.post('/h5/members/marketing', { config: { public: true }, schema: { ...hide, body: Type.Object({ opt_in: Type.Union([Type.Literal('on'), Type.Literal('off')]) }) } }, async (request, reply) => {
      const session = await sessionOf(request, reply, new Date());
      if (!session) return html(reply, 401, messagePage('请先登录', '登录已过期，请重新进入。'));
      await setMarketingOptIn(db, session.merchantId, session.memberId, request.body.opt_in === 'on');
      return reply.redirect('/h5/members/card', 303);
    });

    app.post('/h5/members/logout', { config: { public: true }, schema: hide }, async (request, reply) => {
      const session = readSession(config, request.cookies[MEMBER_SESSION_COOKIE], new Date());
      reply.clearCookie(MEMBER_SESSION_COOKIE, { path: '/h5' });
      return html(reply, 200, messagePage('已退出', '会员卡已在这台手机上退出登录。', session ? { href: `/h5/m/${session.merchantId}`, label: '返回' } : undefined));
    });
  });
}

function joinPage(offer: Awaited<ReturnType<typeof joinOffer>>, action: string, phoneRequired: boolean, error?: string, phone?: string): string {
  return page(`加入${offer.program.name}`, joinForm({ ...offer, action, phoneRequired, error, phone }));
}

async function codeView(code: { code: string; expiresAt: Date }, now: Date) {
  const nextStepAt = (timeStep(now) + 1) * CODE_STEP_SECONDS * 1000;
  return {
    code: code.code,
    expires_at: code.expiresAt.toISOString(),
    refresh_in_ms: nextStepAt - now.getTime() + 300,
    qr_svg: await QRCode.toString(code.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
    barcode_svg: code128Svg(code.code),
  };
}
