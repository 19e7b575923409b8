import { describe, expect, it } from 'vitest';
import { formatFromPath } from './file-format.js';

describe('formatFromPath', () => {
  it('names the format from the extension, in any case', () => {
    expect(formatFromPath('data/events.csv')).toBe('csv');
    expect(formatFromPath('events.NDJSON')).toBe('ndjson');
    expect(formatFromPath('events.jsonl')).toBe('ndjson');
    expect(formatFromPath('events.parquet')).toBe('parquet');
    expect(formatFromPath('events.pq')).toBe('parquet');
  });

  it('accepts gzipped CSV and NDJSON', () => {
    expect(formatFromPath('events.csv.gz')).toBe('csv');
    expect(formatFromPath('events.ndjson.gz')).toBe('ndjson');
  });

  it('rejects an unknown extension with a message naming the file and the formats', () => {
    expect(() => formatFromPath('events.txt')).toThrow(
      expect.objectContaining({ code: 'TANDEM_FILE_FORMAT', message: expect.stringMatching(/^events\.txt: unknown file format; use a \.csv/) }),
    );
  });

  it('rejects a plain .json file, which need not be one object per line', () => {
    expect(() => formatFromPath('events.json')).toThrow(/unknown file format/);
  });

  it('rejects a gzipped Parquet file and a dot in a folder name', () => {
    expect(() => formatFromPath('events.parquet.gz')).toThrow(/unknown file format/);
    expect(() => formatFromPath('data.csv/events')).toThrow(/unknown file format/);
  });
});
