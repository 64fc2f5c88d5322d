/** The OctopusX simulator: a real HTTP server standing in for the OctopusX video API in tests. */
export { OctopusSimulator } from './server';
export type {
	DataUriSummary,
	Fault,
	RandomFaults,
	RecordedRequest,
	ResultStyle,
	Route,
	SimTask,
	SimulatorOptions,
	TaskDefaults,
	TaskOutcome,
} from './types';
export { ROUTES } from './types';
export { playableMp4, PLAYABLE_MP4_PATH, resultChunk } from './media';
export { mulberry32 } from './random';
export { promptOverrides } from './tasks';
export { MAX_REFERENCE_BYTES } from './validate';
