/**
 * The package as n8n and its users meet it: package.json, the codex file, the icons and the links
 * into the README. Runs on the build `npm test` makes first.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { headingAnchors as readmeAnchors } from '../docs/markdown';

const ROOT = join(__dirname, '..', '..');

const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const pkg = readJson('package.json');
const codexPath = 'nodes/OctopusX/OctopusX.node.json';
const codex = readJson(codexPath);

/** The categories n8n's nodes panel knows (docs.n8n.io, "Node codex files"); others are dropped. */
const N8N_CATEGORIES = [
	'Analytics',
	'Communication',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'Marketing & Content',
	'Miscellaneous',
	'Productivity',
	'Sales',
	'Utility',
];

interface ThemedIcon {
	light: string;
	dark: string;
}

/** Loads a built node or credential the way n8n does: the export named after the file. */
function loadBuilt(distPath: string, suffix: string) {
	const exportName = basename(distPath, suffix);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const mod = require(join(ROOT, distPath)) as Record<string, new () => unknown>;
	expect(typeof mod[exportName]).toBe('function');
	return new mod[exportName]();
}

/** What is wrong with an icon file as an SVG n8n can show (empty when nothing). */
function svgProblems(svg: string): string[] {
	const problems: string[] = [];
	const body = svg.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?/, '').replace(/<!--[\s\S]*?-->/g, '');
	const root = /^<svg\b([^>]*)>/.exec(body);
	if (!root) return ['does not start with an <svg> element'];
	if (!/\bxmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(root[1])) problems.push('no SVG xmlns');
	if (!/\bviewBox="[\d.\s-]+"/.test(root[1])) problems.push('no viewBox, so it cannot scale');
	if (/<script|<foreignObject|\son\w+=/i.test(body)) problems.push('scripts or embedded HTML');
	if (/href="(?!#)/.test(body)) problems.push('refers to an outside resource');
	// Well-formed: every tag closes in order, and nothing follows the root.
	const open: string[] = [];
	const tags = /<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g;
	let end = 0;
	for (let m = tags.exec(body); m; m = tags.exec(body)) {
		if (body.slice(end, m.index).includes('<')) problems.push(`malformed tag near ${end}`);
		end = m.index + m[0].length;
		const [, closing, name, , selfClosing] = m;
		if (closing) {
			if (open.pop() !== name) problems.push(`</${name}> closes nothing open`);
			if (open.length === 0 && body.slice(end).trim() !== '') problems.push('content after </svg>');
			if (open.length === 0) break;
		} else if (!selfClosing) open.push(name);
	}
	if (open.length > 0) problems.push(`unclosed <${open.join('>, <')}>`);
	return problems;
}

function expectThemedIcons(icon: unknown, sourceDir: string, distDir: string) {
	expect(icon).toEqual({
		light: expect.stringMatching(/^file:.+\.svg$/),
		dark: expect.stringMatching(/^file:.+\.svg$/),
	});
	const { light, dark } = icon as ThemedIcon;
	const files = [light, dark].map((ref) => ref.slice('file:'.length));
	expect(files[0]).not.toBe(files[1]);
	const [lightSvg, darkSvg] = files.map((file) => {
		const svg = readFileSync(join(ROOT, sourceDir, file), 'utf8');
		expect({ file, problems: svgProblems(svg) }).toEqual({ file, problems: [] });
		// n8n reads the icon from beside the built file.
		expect(readFileSync(join(ROOT, distDir, file), 'utf8')).toBe(svg);
		return svg;
	});
	expect(darkSvg).not.toBe(lightSvg);
}

describe('package.json', () => {
	it('names and labels the package as an n8n community node', () => {
		expect(pkg.name).toBe('n8n-nodes-octopusx');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(
			/^MIT License\s+Copyright \(c\) \d{4} n8n-nodes-octopusx contributors/,
		);
	});

	it('publishes the build only', () => {
		expect(pkg.files).toEqual(['dist']);
	});

	it('has no runtime dependencies and takes n8n-workflow from n8n', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});

	it('points the n8n section at files the build produced', () => {
		// Not strict: n8n-node's strict mode lints the tests and tooling with the rules for node code
		// too (docs/development.md). What ships is held to n8n's default config by `npm run lint`.
		expect(pkg.n8n).toMatchObject({ n8nNodesApiVersion: 1, strict: false });
		const paths: string[] = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(pkg.n8n.nodes).toHaveLength(1);
		expect(pkg.n8n.credentials).toHaveLength(1);
		for (const path of paths) {
			expect(path).toMatch(/^dist\/.+\.(node|credentials)\.js$/);
			const source = join(ROOT, path.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
			expect({ path, built: existsSync(join(ROOT, path)) }).toEqual({ path, built: true });
			// Older than its source means a stale build: run `npm run build`.
			expect(statSync(join(ROOT, path)).mtimeMs).toBeGreaterThanOrEqual(statSync(source).mtimeMs);
		}
	});
});

describe('package-lock.json', () => {
	// npm rewrites the lock's root entry from package.json on every install: any difference here
	// means a fresh clone's `npm install` leaves a changed file behind.
	it('has the root entry package.json describes', () => {
		const lock = readJson('package-lock.json');
		const fields = [
			'name',
			'version',
			'license',
			'engines',
			'dependencies',
			'devDependencies',
			'peerDependencies',
			'optionalDependencies',
		];
		const pick = (from: Record<string, unknown>) =>
			Object.fromEntries(fields.filter((f) => from[f] !== undefined).map((f) => [f, from[f]]));
		expect(lock.name).toBe(pkg.name);
		expect(lock.version).toBe(pkg.version);
		expect(pick(lock.packages[''])).toEqual(pick(pkg));
	});
});

describe('node codex', () => {
	const [nodePath] = pkg.n8n.nodes as string[];

	it('sits beside the built node and names it as n8n registers it', () => {
		expect(readJson(nodePath.replace(/\.js$/, '.json'))).toEqual(codex);
		const node = loadBuilt(nodePath, '.node.js') as { description: { name: string } };
		expect(codex.node).toBe(`${pkg.name}.${node.description.name}`);
		expect(codex.node).toBe('n8n-nodes-octopusx.octopusX');
	});

	it('files the node under categories n8n knows', () => {
		expect(codex.categories.length).toBeGreaterThan(0);
		for (const category of codex.categories) expect(N8N_CATEGORIES).toContain(category);
	});

	it('is found by the words people search for', () => {
		const aliases = (codex.alias as string[]).map((a) => a.toLowerCase());
		for (const word of ['video', 'v2v', 'edit video', 'restyle']) expect(aliases).toContain(word);
	});

	it('links the node to README sections that exist, and the credential to the API reference', () => {
		const readmePath = join(ROOT, 'README.md');
		expect({ readme: existsSync(readmePath) }).toEqual({ readme: true });
		const anchors = readmeAnchors(readFileSync(readmePath, 'utf8'));
		const repo = pkg.homepage.replace(/#.*$/, '');
		// The panel's Docs link: n8n opens an http(s) documentationUrl as it is, fragment and all.
		const [nodePath] = pkg.n8n.nodes as string[];
		const node = loadBuilt(nodePath, '.node.js') as { description: { documentationUrl?: string } };
		const docs = node.description.documentationUrl ?? '';
		const [page, anchor] = docs.split('#');
		expect({ page, anchor, inReadme: anchors.has(anchor) }).toEqual({
			page: repo,
			anchor: 'operations',
			inReadme: true,
		});
		// n8n appends its tracking query to a codex URL (`${url}?utm_source=…`): after a '#' it
		// would become part of the fragment, which then names no heading.
		expect(codex.resources.primaryDocumentation).toHaveLength(1);
		expect(codex.resources.credentialDocumentation).toHaveLength(1);
		for (const { url } of [
			...codex.resources.primaryDocumentation,
			...codex.resources.credentialDocumentation,
		] as Array<{ url: string }>) {
			expect(url).toBe(repo);
		}
		// The credential dialog's docs link: where the provider documents the key and the API.
		const [credentialPath] = pkg.n8n.credentials as string[];
		const credential = loadBuilt(credentialPath, '.credentials.js') as { documentationUrl: string };
		expect(credential.documentationUrl).toMatch(/^https:\/\/doc\.octopusx\.ai\/en\//);
	});
});

describe('icons', () => {
	it('gives the node a light and a dark SVG', () => {
		const [nodePath] = pkg.n8n.nodes as string[];
		const node = loadBuilt(nodePath, '.node.js') as { description: { icon: unknown } };
		expectThemedIcons(node.description.icon, 'nodes/OctopusX', dirname(nodePath));
	});

	it('gives the credential a light and a dark SVG', () => {
		const [credentialPath] = pkg.n8n.credentials as string[];
		const credential = loadBuilt(credentialPath, '.credentials.js') as { icon: unknown };
		expectThemedIcons(credential.icon, 'credentials', dirname(credentialPath));
	});
});

// The hand-made check above, on inputs it must reject or read right.
describe('the checks of this file', () => {
	const good =
		'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><g><path d="M0 0h8"/></g></svg>';

	it('tells a broken SVG from a good one', () => {
		expect(svgProblems(good)).toEqual([]);
		expect(svgProblems(good.slice(0, -6))).toEqual(['unclosed <svg>']);
		expect(svgProblems(good.replace('</g>', ''))).toContain('</svg> closes nothing open');
		expect(svgProblems(good.replace(' viewBox="0 0 8 8"', ''))).toEqual([
			'no viewBox, so it cannot scale',
		]);
		expect(svgProblems('<html></html>')).toEqual(['does not start with an <svg> element']);
		expect(svgProblems(good.replace('<g>', '<g onload="x()">'))).toContain(
			'scripts or embedded HTML',
		);
	});
});
