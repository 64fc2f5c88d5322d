// The naive node authenticates exactly as the real one: the same credential type.
export { OctopusXApi } from '../../credentials/OctopusXApi.credentials';
