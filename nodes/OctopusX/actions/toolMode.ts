import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Whether the node runs as an AI Agent's tool. n8n registers every `usableAsTool` node a second
 * time as `<type>Tool`, and its own `@tool` display option tests the same name.
 */
export function runsAsTool(fn: IExecuteFunctions): boolean {
	return fn.getNode().type.endsWith('Tool');
}

/**
 * A parameter value that the AI Agent's model fills. The description is what the model reads about
 * the argument, so it says what to put there, not how the node works. Quotes and backticks are kept
 * out of descriptions: n8n parses this expression back to build the tool's schema.
 */
export function fromAi(key: string, description: string, type: 'string' | 'number'): string {
	return `={{ $fromAI('${key}', \`${description}\`, '${type}') }}`;
}
