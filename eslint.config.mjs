import { config as n8nDefault } from '@n8n/node-cli/eslint';
import tseslint from 'typescript-eslint';

// What ships (nodes/, credentials/, package.json) is linted by n8n's default config exactly as
// `n8n-node lint` applies it. The tests, benchmarks and dev scripts around it start servers, read
// files, time things and print, which n8n's rules for node code forbid; they get an ordinary
// TypeScript config instead. Why package.json says `"strict": false`: docs/development.md.
const tooling = ['test/**', 'bench/**', 'scripts/**'];

// A block of nothing but `ignores` (and a name) ignores files for every block: leave it as it is.
const isGlobalIgnore = (block) =>
	Object.keys(block).every((key) => key === 'ignores' || key === 'name');

// The node's folders in layers, the way data flows; a folder may import only from the layers below it
// (docs/development.md draws them). What each layer may not import:
const node = './nodes/OctopusX';
const above = {
	record: ['transport', 'task', 'reference', 'result', 'actions'],
	transport: ['task', 'reference', 'result', 'actions'],
	task: ['reference', 'result', 'actions'],
	reference: ['task', 'result', 'actions'],
	result: ['actions'],
};
const layers = {
	files: ['nodes/**/*.ts'],
	rules: {
		'import-x/no-restricted-paths': [
			'error',
			{
				zones: Object.entries(above).map(([layer, higher]) => ({
					target: `${node}/${layer}`,
					from: [...higher.map((h) => `${node}/${h}`), `${node}/OctopusX.node.ts`],
					message: `${layer}/ is below these layers and may not import from them (docs/development.md).`,
				})),
			},
		],
	},
};

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
	...n8nDefault.map((block) =>
		isGlobalIgnore(block) ? block : { ...block, ignores: [...(block.ignores ?? []), ...tooling] },
	),
	layers,
	...tseslint.config({
		files: tooling.map((dir) => `${dir}/*.ts`),
		extends: [tseslint.configs.recommended],
		languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
			],
		},
	}),
];
