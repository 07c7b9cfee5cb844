import { useEffect, useState } from 'react';
import { Card, Descriptions, Space, Spin, Tag, Typography } from 'antd';
import { api } from '../api.js';
import { isMessageKey, useI18n } from '../i18n.js';
import { yuan } from './money.js';
import { LoadError } from './PageHeader.js';

// Views of the identity (ID+) API, as src/modules/identity/routes.ts answers them, and the small
// pieces the ID+ pages share.

export const identifierKinds = ['wechat_openid', 'wechat_unionid', 'alipay_user_id', 'alipay_open_id', 'phone', 'card_number', 'email', 'external_id', 'device_id', 'masked_phone'] as const;

export interface Identifier {
  id: string;
  kind: string;
  value: string;
  verified: boolean;
  strength: string;
  source: string;
  first_seen_at: string;
  last_seen_at: string;
}

export interface PersonSummary {
  id: string;
  status: string;
  merged_into: string | null;
  display_name: string | null;
  birthday: string | null;
  address: string | null;
  created_at: string;
  updated_at: string;
  identifiers: Identifier[];
}

export interface HistoryEntry {
  id: string;
  event: string;
  detail: unknown;
  merge_id: string | null;
  context: string | null;
  actor_kind: string;
  actor_id: string;
  reason: string | null;
  occurred_at: string;
}

export interface ModuleMove {
  module: string;
  counts: Record<string, number>;
}

export interface Merge {
  id: string;
  survivor_id: string;
  absorbed_id: string;
  kind: string;
  reason: string;
  moved_identifiers: unknown;
  filled_attributes: unknown;
  decision: unknown;
  modules: string[];
  /** What each module moved, counted per kind (payments: 3, points: 1200). */
  moves: ModuleMove[];
  actor_kind: string;
  actor_id: string;
  created_at: string;
  unmerged_at: string | null;
  unmerged_by: string | null;
  unmerge_reason: string | null;
}

export interface Person extends PersonSummary {
  requested_id: string;
  sources: string[];
  history: HistoryEntry[];
  merges: Merge[];
}

export interface ReviewItem {
  id: string;
  status: string;
  first_person_id: string;
  second_person_id: string;
  context: string;
  source: string;
  decision: unknown;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  merge_id: string | null;
}

export interface MatchProfile {
  id: string;
  name: string | null;
  birthday: string | null;
  address: string | null;
  phones: string[];
}

export interface SuggestionFeature {
  feature: string;
  level: string;
  weight: number;
  contribution: number;
  detail: string;
}

export interface Suggestion {
  id: string;
  status: string;
  score: number;
  explanation: { score?: number; log_odds?: number; features?: SuggestionFeature[] } | null;
  first_person: MatchProfile;
  second_person: MatchProfile;
  created_at: string;
  updated_at: string;
  decided_at: string | null;
  reason: string | null;
  merge_id: string | null;
}

/** Roles allowed to merge and unmerge (identity.merge: a person's decision, never an API key). */
export const mergers = ['merchant_owner', 'merchant_admin'];
/** Roles allowed to link and unlink identifiers (identity.write). */
export const identityWriters = ['merchant_owner', 'merchant_admin', 'store_manager'];

const strengthColours: Record<string, string> = { strong: 'green', medium: 'blue', weak: 'default' };

export function KindTag({ kind }: { kind: string }) {
  const { t } = useI18n();
  const key = `idKind.${kind}`;
  return <Tag color="geekblue">{isMessageKey(key) ? t(key) : kind}</Tag>;
}

export function StrengthTag({ strength }: { strength: string }) {
  const { t } = useI18n();
  const key = `idStrength.${strength}`;
  return <Tag color={strengthColours[strength] ?? 'default'}>{isMessageKey(key) ? t(key) : strength}</Tag>;
}

/** A person's identifiers in a compact card, for comparing the two sides of a merge. */
export function PersonSide({ personId, title, testId }: { personId: string; title: string; testId?: string }) {
  const { t } = useI18n();
  const [person, setPerson] = useState<Person | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setPerson(null);
    api
      .get<Person>(`/v1/identity/persons/${personId}`, { follow: 'false' })
      .then((p) => live && setPerson(p))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [personId]);
  return (
    <Card size="small" title={title} data-testid={testId} style={{ height: '100%' }}>
      <LoadError error={error} />
      {!person && !error && <Spin />}
      {person && (
        <>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('common.id')}>
              <code className="id">{person.id}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('identity.name')}>{person.display_name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('identity.birthday')}>{person.birthday ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('identity.address')}>{person.address ?? '—'}</Descriptions.Item>
          </Descriptions>
          <Space direction="vertical" size={4} style={{ width: '100%' }}>
            {person.identifiers.map((i) => (
              <span key={i.id}>
                <KindTag kind={i.kind} />
                <Typography.Text code style={{ wordBreak: 'break-all' }}>
                  {i.value}
                </Typography.Text>
                {i.verified && <Tag color="green">{t('identity.verified')}</Tag>}
              </span>
            ))}
          </Space>
        </>
      )}
    </Card>
  );
}

/** "payments 3 · membership 1 member, 1,200 points, ¥50.00": what a merge moved, module by module. */
export function useMoveLabels(): (moves: readonly ModuleMove[]) => { module: string; label: string; parts: string[] }[] {
  const { t } = useI18n();
  return (moves) =>
    moves
      .map((move) => {
        const parts = Object.entries(move.counts)
          .filter(([, n]) => n !== 0)
          .map(([kind, n]) => {
            const key = `identity.count.${kind}`;
            if (kind === 'stored_value_fen') return t('identity.count.stored_value_fen', { amount: yuan(n) });
            return isMessageKey(key) ? t(key, { n: n.toLocaleString() }) : `${kind} ${n}`;
          });
        const moduleKey = `identity.module.${move.module}`;
        return { module: move.module, label: isMessageKey(moduleKey) ? t(moduleKey) : move.module, parts };
      })
      .filter((m) => m.parts.length > 0);
}

/** Tags per module with its counts; "—" when no module moved anything. */
export function MovesTags({ moves, testId }: { moves: readonly ModuleMove[]; testId?: string }) {
  const { t } = useI18n();
  const labels = useMoveLabels()(moves);
  if (!labels.length) return <Typography.Text type="secondary" data-testid={testId}>{t('identity.nothingMoved')}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap data-testid={testId}>
      {labels.map((m) => (
        <Tag key={m.module} data-testid={testId ? `${testId}-${m.module}` : undefined}>
          {m.label}: {m.parts.join(t('identity.countSeparator'))}
        </Tag>
      ))}
    </Space>
  );
}
