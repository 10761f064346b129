/**
 * The options that change what a report says (goodput, gates, cost), as the user gave them.
 * Declared here, beside their only readers, so the report does not depend on the CLI's option
 * parsing; config's OutputOptions extends it with where the files go.
 */
export interface ReportOptions {
  failIf?: string;
  slo?: string;
  priceIn?: number;
  priceOut?: number;
  projectPerMonth?: number;
}
