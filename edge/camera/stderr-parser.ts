// Reads ffmpeg's stderr line by line and keeps what matters: the source frame size
// (from the input stream line), decode errors (counted), and the last real error
// (connection refused, 404, not found...) for logs and health. Banner and noise are dropped.

export type StderrLineKind = 'source-size' | 'decode-error' | 'error' | 'warning' | 'info' | 'ignore';

export interface ParsedStderrLine {
  kind: StderrLineKind;
  /** Short human text (error kinds), without the "[h264 @ 0x...]" prefix. */
  text: string;
}

const ERROR_PATTERNS = [
  /Connection refused/i,
  /Connection timed out/i,
  /No route to host/i,
  /Server returned \d{3}/i,
  /\b(404|401|403|500|503)\b.*(Not Found|Unauthorized|Forbidden|Error|Unavailable)/i,
  /method \w+ failed/i,
  /No such file or directory/i,
  /Invalid data found when processing input/i,
  /Permission denied/i,
  /Input\/output error/i,
  /Could not find codec parameters/i,
  /Immediate exit requested/i,
  /moov atom not found/i,
  /End of file/i,
  /Conversion failed/i,
  /Operation not permitted/i,
  /Name or service not known|Failed to resolve hostname/i,
  /Cannot open video device|Inappropriate ioctl/i,
];

const DECODE_ERROR = /error while decoding|concealing \d+ (DC|AC|MV) errors|corrupt (?:input|packet|frame|decoded)|Invalid NAL|Missing reference picture|decode_slice_header error|non-existing PPS|no frame!|missing picture in access unit|Error splitting the input into NAL units|Packet corrupt|overread/i;

export class FfmpegStderrParser {
  sourceWidth = 0;
  sourceHeight = 0;
  decodeErrors = 0;
  lastError: string | null = null;
  private seenOutput = false;

  /** Forget per-process state (a new ffmpeg process starts). */
  reset(): void {
    this.sourceWidth = 0;
    this.sourceHeight = 0;
    this.seenOutput = false;
    this.lastError = null;
  }

  parse(rawLine: string): ParsedStderrLine {
    const line = rawLine.trim();
    if (!line) return { kind: 'ignore', text: '' };
    if (line.startsWith('Output #')) this.seenOutput = true;
    if (!this.seenOutput && this.sourceWidth === 0 && /Stream #\d+:\d+.*: Video: /.test(line)) {
      const m = /, (\d{2,5})x(\d{2,5})[,\s\]]/.exec(`${line} `);
      if (m) {
        this.sourceWidth = Number(m[1]);
        this.sourceHeight = Number(m[2]);
        return { kind: 'source-size', text: `${this.sourceWidth}x${this.sourceHeight}` };
      }
    }
    const text = line.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/i, '');
    for (const re of ERROR_PATTERNS) {
      if (re.test(line)) {
        this.lastError = text.slice(0, 300);
        return { kind: 'error', text: this.lastError };
      }
    }
    if (DECODE_ERROR.test(line)) {
      this.decodeErrors++;
      return { kind: 'decode-error', text };
    }
    if (/^(Input|Output) #|^Stream #|^Stream mapping|^Duration:|^Metadata:|^\s*[a-z_]+\s*:|^Press \[q\]|^frame=|^video:|^encoder|^handler_name|^vendor_id|^\[.*\] (?:max_analyze|Stream #)/i.test(line)) {
      return { kind: 'ignore', text };
    }
    if (/warning|deprecated|discarding|skipping/i.test(line)) return { kind: 'warning', text };
    return { kind: 'info', text };
  }
}
