import { join } from 'node:path';

import type * as BinaryReference from '../nodes/OctopusX/reference/binaryReference';
import type * as DataUriBody from '../nodes/OctopusX/reference/dataUriBody';
import type * as FreeChunk from '../nodes/OctopusX/reference/freeChunk';
import type * as StreamedBody from '../nodes/OctopusX/reference/streamedBody';
import type * as Limit from '../nodes/OctopusX/transport/limit';

const DIST = join(__dirname, '..', 'dist', 'nodes', 'OctopusX');

/** A module of the built node (what the engine runs), typed by its source. */
function load<T>(path: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(join(DIST, path)) as T;
}

export const built = {
	binaryReference: () => load<typeof BinaryReference>('reference/binaryReference'),
	streamedBody: () => load<typeof StreamedBody>('reference/streamedBody'),
	dataUriBody: () => load<typeof DataUriBody>('reference/dataUriBody'),
	freeChunk: () => load<typeof FreeChunk>('reference/freeChunk'),
	limit: () => load<typeof Limit>('transport/limit'),
};
