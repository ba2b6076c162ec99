/** @file The documents the stages write match the schemas the results route declares (and serializes with). */

import { describe, expect, it } from 'vitest';
import { newJobRecord } from '../../src/domain/job.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';
import { alignLyrics } from '../../src/engines/transcription/lyrics-aligner.js';
import { transcriptionDocument } from '../../src/engines/transcription/transcript-json.js';
import { BeatAnalysisDoc, ReportDoc, TranscriptionDoc } from '../../src/http/result-schemas.js';
import { buildReport } from '../../src/pipeline/report.js';
import { analysisJson } from '../../src/stages/analyze-beats.js';
import { schemaErrors } from '../helpers/schema.js';

const SR = 22050;

function clicks(seconds: number, everyS: number): Float32Array {
  const pcm = new Float32Array(SR * seconds);
  for (let t = 0; t < seconds; t += everyS) {
    const at = Math.round(t * SR);
    for (let i = 0; i < 200 && at + i < pcm.length; i++) pcm[at + i] = 0.8 * Math.exp(-i / 40) * Math.sin(i);
  }
  return pcm;
}

function voice(seconds: number): Float32Array {
  const pcm = new Float32Array(SR * seconds);
  for (let i = 0; i < pcm.length; i++) {
    const t = i / SR;
    const on = t % 1 < 0.6 ? 1 : 0; // a syllable every second
    pcm[i] = on * 0.3 * Math.sin(2 * Math.PI * 220 * t) * (1 + 0.3 * Math.sin(2 * Math.PI * 5 * t));
  }
  return pcm;
}

describe('result schemas', () => {
  it('transcription.json as the aligner writes it', () => {
    const vocals = { sampleRate: SR, channels: [voice(6)] };
    const analysis = analyzeVocals(vocals);
    const doc: TranscriptionDoc = transcriptionDocument(
      alignLyrics(analysis, 'la la la\nla la la'),
      analysis,
    );
    expect(doc.words.length).toBe(6);
    expect(schemaErrors(TranscriptionDoc, doc)).toEqual([]);
  });

  it('analysis.json as the beat stage writes it, with and without a pulse', () => {
    for (const pcm of [clicks(6, 0.5), new Float32Array(SR)]) {
      const doc = analysisJson(analyzeBeats([pcm], SR));
      expect(schemaErrors(BeatAnalysisDoc, doc)).toEqual([]);
    }
  });

  it('report.json as the pipeline writes it', () => {
    const job = newJobRecord({
      id: '6f1c0d0e-8a4b-4c8e-9f0a-2b3c4d5e6f70',
      originalFilename: 'song.wav',
      fileExt: 'wav',
      fileSize: 1000,
      audioDuration: 2,
      options: { stages: ['beats'] },
    });
    job.stages.beats = {
      ...job.stages.beats,
      status: 'completed',
      engine: { name: 'beat-dsp', version: '1', quality: 'dsp' },
    };
    expect(schemaErrors(ReportDoc, buildReport(job, '0.1.0'))).toEqual([]);
  });

  it('refuses a document that lost a field or changed a type', () => {
    const doc = analysisJson(analyzeBeats([clicks(4, 0.5)], SR));
    expect(schemaErrors(BeatAnalysisDoc, { ...doc, tempo_bpm: 'fast' })).not.toEqual([]);
    const { beat_count: _dropped, ...rest } = doc;
    expect(schemaErrors(BeatAnalysisDoc, rest)).not.toEqual([]);
  });
});
