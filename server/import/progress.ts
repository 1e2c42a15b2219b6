// A progress line on a terminal (redrawn in place), or one line per file when output is a log.
export interface Progress {
  update(state: { files: number; totalFiles: number; resources: number; failed: number; file: string }): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const tty = stream.isTTY === true;
  const rate = (resources: number) => Math.round(resources / Math.max((Date.now() - started) / 1000, 0.001));
  return {
    update({ files, totalFiles, resources, failed, file }) {
      const width = 24;
      const filled = totalFiles === 0 ? width : Math.round((files / totalFiles) * width);
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      const line = `[${bar}] ${files}/${totalFiles} files · ${resources.toLocaleString('en')} resources · ${rate(resources).toLocaleString('en')} resources/s${failed ? ` · ${failed} failed` : ''}`;
      if (tty) stream.write(`\r${line}\x1b[K`);
      else stream.write(`${line} · ${file}\n`);
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}
