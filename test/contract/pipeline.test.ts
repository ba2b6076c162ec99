import { BACKEND_MODES } from '../helpers/services.js';
import { pipelineContract } from './pipeline.contract.js';

for (const mode of BACKEND_MODES) pipelineContract(mode);
