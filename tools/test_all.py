"""Run every test: each notebook in nbs/ with `nbdev_test` (cells flagged `slow` included), then pytest on
tests/. Ends with one line `N passed, N failed`; exits 1 if anything failed."""
import os, re, subprocess, sys, time, pathlib
from concurrent.futures import ThreadPoolExecutor

root = pathlib.Path(__file__).resolve().parent.parent
bin_dir = pathlib.Path(sys.executable).parent
workers = int(os.environ.get('GRPO_NB_TEST_WORKERS', 2))
# one torch thread per notebook when several run at once: oversubscribed cores stall torch's thread pool
env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1' if workers > 1 else '')}

def run_nb(path:pathlib.Path):
    "(path, ok, seconds, output) of `nbdev_test` on one notebook, in its own process."
    t0 = time.time()
    res = subprocess.run([str(bin_dir / 'nbdev_test'), '--path', str(path), '--flags', 'slow'],
                         capture_output=True, text=True, cwd=root, env=env)
    return path, res.returncode == 0, time.time() - t0, res.stdout + res.stderr

def main():
    nbs = sorted(p for p in (root / 'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    passed = failed = 0
    with ThreadPoolExecutor(workers) as ex:
        for path, ok, secs, out in ex.map(run_nb, nbs):
            print(f"{'PASS' if ok else 'FAIL'} {path.name} ({secs:.1f}s)", flush=True)
            if ok: passed += 1
            else: failed += 1; print(out[-6000:], flush=True)
    if (root / 'tests').is_dir():
        res = subprocess.run([sys.executable, '-m', 'pytest', 'tests', '-q', '-p', 'no:cacheprovider'],
                             capture_output=True, text=True, cwd=root)
        print(res.stdout[-8000:], res.stderr[-3000:], flush=True)
        last = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else ''
        counts = {k: int(n) for n, k in re.findall(r'(\d+) (passed|failed|errors?)\b', last)}
        passed += counts.get('passed', 0)
        failed += counts.get('failed', 0) + counts.get('error', 0) + counts.get('errors', 0)
        if res.returncode not in (0, 5) and not any(counts.get(k) for k in ('failed', 'error', 'errors')): failed += 1  # pytest itself broke
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
