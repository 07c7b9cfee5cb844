// Local ESLint rule: a module's index.ts is its only door, and domain code never touches HTTP.
// See docs/decisions/0001-stack-and-layout.md and DESIGN.md ("Rules of the house").
import path from 'node:path';

const modulePath = /^(.*)\/src\/modules\/([^/]+)\/(.*)$/;
const fastifyPackage = /^(fastify|fastify-plugin|@fastify\/[^/]+)(\/.*)?$/;

/** @param {string} file */
function normalise(file) {
  return file.split(path.sep).join('/');
}

/**
 * Where a relative specifier lands, as the TypeScript file it names (`.js` → `.ts`, as NodeNext
 * writes them), or null when it is a package name.
 * @param {string} fromFile
 * @param {string} specifier
 */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return null;
  let target = normalise(path.posix.resolve(path.posix.dirname(fromFile), specifier));
  if (target.endsWith('.js')) target = `${target.slice(0, -3)}.ts`;
  else if (target.endsWith('.mjs')) target = `${target.slice(0, -4)}.mts`;
  else if (target.endsWith('.jsx')) target = `${target.slice(0, -4)}.tsx`;
  return target;
}

/** Route adapters, sandboxes and H5 page servers are HTTP code by design; tests may boot the app. */
function isDomainFile(rest) {
  const parts = rest.split('/');
  const base = parts.at(-1) ?? '';
  if (base === 'routes.ts' || base.endsWith('-routes.ts')) return false;
  if (parts.slice(0, -1).some((dir) => dir === 'sandbox' || dir === 'h5' || dir === 'test' || dir === '__tests__')) return false;
  if (/\.(test|spec)\.[cm]?tsx?$/.test(base)) return false;
  return true;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: "modules import each other only through index.ts; domain files never import fastify or src/http" },
    schema: [],
    messages: {
      internals:
        "'{{specifier}}' reaches into module '{{target}}' internals ({{file}}); import from '{{target}}/index.ts' (add what you need to its exports)",
      fastify: "domain file imports '{{specifier}}': Fastify belongs in routes.ts / *-routes.ts; pass plain data to services",
      http: "domain file imports '{{specifier}}' (src/http): only `import type` from src/http/route-kit.ts is allowed outside routes",
    },
  },
  create(context) {
    const filename = normalise(context.filename);
    const own = modulePath.exec(filename);
    if (!own) return {};
    const [, root, moduleName, rest] = own;
    const domain = isDomainFile(rest);
    const routeKit = `${root}/src/http/route-kit.ts`;

    /**
     * @param {import('estree').Node} node
     * @param {string} specifier
     * @param {boolean} typeOnly
     */
    function check(node, specifier, typeOnly) {
      if (domain && fastifyPackage.test(specifier)) {
        context.report({ node, messageId: 'fastify', data: { specifier } });
        return;
      }
      const target = resolveSpecifier(filename, specifier);
      if (!target) return;
      const other = modulePath.exec(target);
      if (other && other[1] === root && other[2] !== moduleName && other[3] !== 'index.ts') {
        context.report({ node, messageId: 'internals', data: { specifier, target: `src/modules/${other[2]}`, file: `src/modules/${other[2]}/${other[3]}` } });
        return;
      }
      if (domain && target.startsWith(`${root}/src/http/`) && !(typeOnly && target === routeKit)) {
        context.report({ node, messageId: 'http', data: { specifier } });
      }
    }

    /** @param {unknown} source */
    function literalOf(source) {
      if (!source || typeof source !== 'object') return null;
      const node = /** @type {{ type: string, value?: unknown, expressions?: unknown[], quasis?: { value: { cooked: string } }[] }} */ (source);
      if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node.type === 'TemplateLiteral' && node.expressions?.length === 0) return node.quasis?.[0]?.value.cooked ?? null;
      return null;
    }

    return {
      ImportDeclaration(node) {
        // `import type` is erased; `import { type X }` is not under verbatimModuleSyntax, so only the former counts as type-only.
        check(node, String(node.source.value), /** @type {{ importKind?: string }} */ (node).importKind === 'type');
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, String(node.source.value), /** @type {{ exportKind?: string }} */ (node).exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, String(node.source.value), /** @type {{ exportKind?: string }} */ (node).exportKind === 'type');
      },
      ImportExpression(node) {
        const specifier = literalOf(node.source);
        if (specifier !== null) check(node, specifier, false);
      },
      /** `typeof import('../other/internal.js')` in a type position. */
      TSImportType(node) {
        const typed = /** @type {{ argument?: { literal?: unknown }, source?: unknown }} */ (/** @type {unknown} */ (node));
        const specifier = literalOf(typed.source ?? typed.argument?.literal);
        if (specifier !== null) check(/** @type {import('estree').Node} */ (/** @type {unknown} */ (node)), specifier, true);
      },
    };
  },
};

export default rule;
