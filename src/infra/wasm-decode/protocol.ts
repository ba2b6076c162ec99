/** Messages between the main thread and the WebAssembly decode thread. */
export type WasmFormat = 'mp3' | 'flac' | 'vorbis' | 'opus';

export interface DecodeRequest {
  file: string;
  format: WasmFormat;
  /** probe: measure the whole file, return no samples; decode: return stereo PCM at targetRate. */
  mode: 'probe' | 'decode';
  /** Decoding stops past this many seconds (probe: reports tooLong; decode: the rest is dropped). */
  maxDurationS: number;
  targetRate?: number;
}

export interface ProbeReport {
  sampleRate: number;
  channels: number;
  /** Samples per channel decoded (up to the limit). */
  frames: number;
  tooLong: boolean;
  /** Frames with decode errors. */
  errorFrames: number;
  /** What the file's headers declare (MP3 Xing, FLAC STREAMINFO), when they do. */
  declaredFrames?: number;
  /** Ogg only: the stream ends with its end-of-stream page. */
  endsCleanly?: boolean;
  /** Set when the layout is outside AUDIO_LIMITS: decoding stopped there. */
  layoutProblem?: string;
  /** Set when frames × channels passed decodedSampleLimit(maxDurationS): decoding stopped there. */
  tooManySamples?: number;
}

export type DecodeReply =
  | { type: 'probe'; report: ProbeReport }
  | { type: 'pcm'; report: ProbeReport; sampleRate: number; channels: Float32Array[] }
  | { type: 'error'; message: string };
