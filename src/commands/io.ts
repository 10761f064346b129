/** Where a command writes: its result on stdout, progress and warnings on stderr. */
export type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };
