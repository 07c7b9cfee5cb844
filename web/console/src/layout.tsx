import { Suspense, useMemo, useState } from 'react';
import { Avatar, Button, Dropdown, Layout, Menu, Result, Space, Spin, Tag, Typography, type MenuProps } from 'antd';
import { DownOutlined, LockOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { useCodeLabel, useI18n } from './i18n.js';
import { navTestId, pages, sections, visiblePages, type SectionDef } from './pages.js';
import { useMe, useSession } from './session.js';
import { LocaleToggle } from './components/LocaleToggle.js';
import { ChangePasswordModal } from './components/ChangePasswordModal.js';
import { NotAvailable } from './pages/NotAvailable.js';

type MenuItem = Required<MenuProps>['items'][number];

export function AppLayout() {
  const me = useMe();
  const { logout } = useSession();
  const { t } = useI18n();
  const codeLabel = useCodeLabel();
  const navigate = useNavigate();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);

  const mine = useMemo(() => visiblePages(me.role), [me.role]);
  const current = location.pathname.replace(/^\/+/, '').replace(/\/+$/, '') || 'overview';

  const items = useMemo<MenuItem[]>(() => {
    const out: MenuItem[] = [];
    for (const section of sections) {
      const inSection = mine.filter((p) => p.section === section.key);
      const label = (key: string, text: string) => <span data-testid={navTestId(key)}>{text}</span>;
      if (section.key === 'home') {
        for (const p of inSection) out.push({ key: p.path, icon: p.icon, label: label(p.path, t(p.label)) });
      } else if (inSection.length) {
        out.push({
          key: `section:${section.key}`,
          icon: section.icon,
          label: label(section.key, t(section.label)),
          children: inSection.map((p) => ({ key: p.path, icon: p.icon, label: label(p.path, t(p.label)) })),
        });
      } else if (section.chain) {
        out.push({ key: section.key, icon: section.icon, label: label(section.key, t(section.label)) });
      }
    }
    return out;
  }, [mine, t]);

  const openSection = mine.find((p) => p.path === current)?.section;
  const [openKeys, setOpenKeys] = useState<string[]>(() => ['section:operator', 'section:settings', ...(openSection ? [`section:${openSection}`] : [])]);

  const userMenu: MenuProps['items'] = [
    { key: 'password', icon: <LockOutlined />, label: <span data-testid="change-password">{t('header.changePassword')}</span> },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">{t('header.logout')}</span> },
  ];

  const emptyChainSections = sections.filter((s) => s.chain && !mine.some((p) => p.section === s.key));

  return (
    <Layout style={{ minHeight: '100vh' }} data-testid="app-layout">
      <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={220} theme="dark">
        <div className="brand" onClick={() => navigate('/')}>
          <span className="brand-mark">+</span>
          {!collapsed && <span className="brand-name">{t('app.name')}</span>}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          items={items}
          selectedKeys={[current]}
          openKeys={collapsed ? undefined : openKeys}
          onOpenChange={setOpenKeys}
          onClick={({ key }) => navigate(`/${key}`)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="app-header">
          <Space size="middle">
            <Typography.Text strong data-testid="header-tenant">
              {me.merchant_name ?? t('nav.operator')}
            </Typography.Text>
            {me.role && <Tag color="blue">{codeLabel('role', me.role)}</Tag>}
          </Space>
          <Space size="middle">
            <LocaleToggle ghost />
            <Dropdown
              menu={{
                items: userMenu,
                onClick: ({ key }) => {
                  if (key === 'password') setChangingPassword(true);
                  if (key === 'logout') void logout().then(() => navigate('/'));
                },
              }}
            >
              <Button type="text" data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} /> {me.label} <DownOutlined />
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content className="app-content">
          <Suspense fallback={<Spin style={{ display: 'block', margin: '96px auto' }} />}>
            <Routes>
              <Route index element={<Navigate to={mine[0]?.path ?? 'overview'} replace />} />
              {mine.map((p) => (
                <Route key={p.path} path={p.path} element={<p.component />} />
              ))}
              {pages
                .filter((p) => !mine.includes(p))
                .map((p) => (
                  <Route key={p.path} path={p.path} element={<Forbidden />} />
                ))}
              {emptyChainSections.map((s: SectionDef) => (
                <Route key={s.key} path={s.key} element={<NotAvailable section={s} />} />
              ))}
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
      <ChangePasswordModal open={changingPassword} onClose={() => setChangingPassword(false)} />
    </Layout>
  );
}

function Forbidden() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title={t('forbidden.title')}
      subTitle={t('forbidden.subtitle')}
      extra={<Button onClick={() => navigate('/')}>{t('back.home')}</Button>}
    />
  );
}

function NotFound() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return <Result status="404" title={t('notFound.title')} extra={<Button onClick={() => navigate('/')}>{t('back.home')}</Button>} />;
}
