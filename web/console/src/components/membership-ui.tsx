import type { CSSProperties } from 'react';
import { Flex, Tag, Typography } from 'antd';
import { CrownOutlined } from '@ant-design/icons';
import { isMessageKey, useI18n, type Translate } from '../i18n.js';
import { yuan } from './money.js';
import { bpsPercent, type CouponTemplate, type Program } from './membership.js';

// Small pieces the membership pages share: the member card as the buyer sees it, coupon terms in
// words, and labels for the codes the membership API answers.

/** A code's label under a prefix (`couponKind.cash_off`), falling back to the code. */
export function codeText(t: Translate, prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? t(key) : code;
}

export function couponTermsText(t: Translate, c: Pick<CouponTemplate, 'kind' | 'value_fen' | 'percent_bps' | 'cap_fen' | 'min_spend_fen' | 'product_sku' | 'exchange_price_fen'>): string {
  const min = c.min_spend_fen ? t('mem.terms.minSpend', { amount: yuan(c.min_spend_fen) }) : '';
  switch (c.kind) {
    case 'cash_off':
      return `${min}${t('mem.terms.cashOff', { amount: yuan(c.value_fen ?? 0) })}`;
    case 'threshold':
      return t('mem.terms.threshold', { min: yuan(c.min_spend_fen ?? 0), amount: yuan(c.value_fen ?? 0) });
    case 'percent_off':
      return `${min}${t('mem.terms.percentOff', { percent: bpsPercent(c.percent_bps ?? 0) })}${c.cap_fen ? t('mem.terms.cap', { amount: yuan(c.cap_fen) }) : ''}`;
    case 'free_item':
      return `${min}${t('mem.terms.freeItem', { sku: c.product_sku ?? '' })}`;
    case 'exchange':
      return `${min}${t('mem.terms.exchange', { sku: c.product_sku ?? '', amount: yuan(c.exchange_price_fen ?? 0) })}`;
    default:
      return c.kind;
  }
}

export function CouponKindTag({ kind }: { kind: string }) {
  const { t } = useI18n();
  const colors: Record<string, string> = { cash_off: 'red', percent_off: 'orange', threshold: 'volcano', free_item: 'green', exchange: 'blue' };
  return <Tag color={colors[kind] ?? 'default'}>{codeText(t, 'couponKind', kind)}</Tag>;
}

/** The member card with the program's design: what the buyer carries on their phone. */
export function MemberCard({ program, cardNumber, name, tierName, testId }: { program: Program | null; cardNumber: string; name?: string | null; tierName?: string | null; testId?: string }) {
  const design = program?.card_design ?? {};
  const style: CSSProperties = {
    width: 340,
    height: 200,
    borderRadius: 16,
    padding: 20,
    background: design.background_color ?? '#1f2a44',
    color: design.text_color ?? '#f5d38a',
    boxShadow: '0 6px 18px rgba(0,0,0,0.18)',
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'space-between',
  };
  return (
    <div style={style} data-testid={testId ?? 'member-card'}>
      <Flex justify="space-between" align="center">
        <Typography.Text strong style={{ color: 'inherit', fontSize: 18 }}>
          {design.title || program?.name || ''}
        </Typography.Text>
        {tierName && (
          <span style={{ color: 'inherit' }} data-testid="member-card-tier">
            <CrownOutlined /> {tierName}
          </span>
        )}
      </Flex>
      <div>
        <div style={{ fontFamily: 'monospace', fontSize: 20, letterSpacing: 2 }} data-testid="member-card-number">
          {cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ')}
        </div>
        {name && <div style={{ opacity: 0.85 }}>{name}</div>}
      </div>
    </div>
  );
}
