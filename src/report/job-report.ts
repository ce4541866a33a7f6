// What session.lastJob() returns: the job's metrics (every JobInfo field, unchanged) and
// toHTML(), the job as a self-contained HTML page.
import type { JobInfo } from '../executor/engine.js';
import { jobReportHtml } from './html-report.js';

// The class takes JobInfo's fields by declaration merging, so a field added to JobInfo
// arrives here without being listed twice.
export interface JobReport extends JobInfo {}
export class JobReport {
  constructor(job: JobInfo) {
    Object.assign(this, job);
  }

  /** The job as one HTML page: stage DAG, decisions, task timeline, metrics table. No network needed to view it. */
  toHTML(): string {
    return jobReportHtml(this);
  }
}
