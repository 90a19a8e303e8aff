// `footfall eval`: CLEAR MOT, identity and HOTA metrics of a MOTChallenge result file.
import { resolve } from 'node:path';
import { defineCommand, requireString, UsageError } from '../command.ts';

const JSON_KEYS = ['MOTA', 'MOTP', 'IDF1', 'IDP', 'IDR', 'HOTA', 'DetA', 'AssA', 'LocA', 'DetRe', 'DetPr', 'AssRe', 'AssPr', 'Recall', 'Precision', 'FP', 'FN', 'IDSW', 'Frag', 'GT', 'MT', 'PT', 'ML'] as const;

export default defineCommand({
  name: 'eval',
  summary: 'score MOTChallenge results against ground truth (MOTA, IDF1, HOTA and the rest)',
  usage: ['eval --gt GT.txt --res RES.txt [--json] [--format mot15|mot16]'],
  options: {
    gt: { type: 'string', valueName: 'FILE', description: 'ground truth: MOT15 (10 columns) or MOT16/17 (9 columns), LF or CRLF' },
    res: { type: 'string', valueName: 'FILE', description: 'tracker results frame,id,x,y,w,h,conf,...' },
    json: { type: 'boolean', description: 'print one JSON object (percentages as 0-100 numbers)' },
    format: { type: 'string', valueName: 'F', description: 'force the ground-truth format (default: by column count)' },
  },
  details:
    'CLEAR MOT and identity metrics match at IoU >= 0.5 as py-motmetrics does; HOTA is averaged over alpha 0.05..0.95 as in TrackEval.\n' +
    'MOT16/17: only consider=1, class=1 boxes are scored; results matched to classes 2, 7, 8, 12 are dropped first.',
  async run(ctx) {
    const gtPath = resolve(ctx.cwd, requireString(ctx.values, 'gt'));
    const resPath = resolve(ctx.cwd, requireString(ctx.values, 'res'));
    const format = ctx.values.format;
    if (format !== undefined && format !== 'mot15' && format !== 'mot16') throw new UsageError(`--format must be mot15 or mot16, got ${JSON.stringify(format)}`);
    const { readMotFile, describeBadLines, evaluateMot } = await import('../../track/eval/index.ts');
    const gt = readMotFile(gtPath);
    const res = readMotFile(resPath);
    if (gt.count === 0) throw new UsageError(`${gtPath}: no ground-truth boxes`);
    for (const [name, t] of [['gt', gt], ['res', res]] as const) {
      if (t.badLines > 0) ctx.stderr.write(`footfall eval: ${name === 'gt' ? gtPath : resPath}: ${describeBadLines(t)}\n`);
    }
    const m = evaluateMot(gt, res, format ? { gtFormat: format } : {});
    if (ctx.values.json) {
      const out: Record<string, number | string> = {};
      for (const k of JSON_KEYS) out[k] = Number(m[k].toFixed(3));
      out.gtFormat = m.gtFormat;
      ctx.stdout.write(`${JSON.stringify(out)}\n`);
      return 0;
    }
    const f = (v: number) => v.toFixed(1);
    ctx.stdout.write(
      `MOTA ${f(m.MOTA)}  MOTP ${f(m.MOTP)}  IDF1 ${f(m.IDF1)}  IDP ${f(m.IDP)}  IDR ${f(m.IDR)}  Rcll ${f(m.Recall)}  Prcn ${f(m.Precision)}\n` +
        `HOTA ${f(m.HOTA)}  DetA ${f(m.DetA)}  AssA ${f(m.AssA)}  LocA ${f(m.LocA)}  DetRe ${f(m.DetRe)}  DetPr ${f(m.DetPr)}  AssRe ${f(m.AssRe)}  AssPr ${f(m.AssPr)}\n` +
        `GT ${m.GT}  MT ${m.MT}  PT ${m.PT}  ML ${m.ML}  FP ${m.FP}  FN ${m.FN}  IDSW ${m.IDSW}  Frag ${m.Frag}` +
        `${m.ignoredRes ? `  (ignored ${m.ignoredRes} boxes on ignore regions)` : ''}  [${m.gtFormat}]\n`,
    );
    return 0;
  },
});
