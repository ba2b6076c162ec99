import { describe, expect, it } from 'vitest';
import { withQueueMates } from '../../../src/pipeline/pipeline.js';

// The pipeline's behaviour through the API runs against both backends: test/contract/pipeline.contract.ts.
describe('workers for a subset of tasks', () => {
  it('a worker for prepare also serves assemble (they share the audio_processing queue)', () => {
    expect(withQueueMates(['prepare'])).toEqual(['prepare', 'assemble']);
    expect(withQueueMates(['assemble', 'beats'])).toEqual(['prepare', 'beats', 'assemble']);
    expect(withQueueMates(['separation'])).toEqual(['separation']);
  });
});
