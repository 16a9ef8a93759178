"""Ctrl-C (SIGINT) or a scheduler's SIGTERM stops `grpo_nb train` after the current step with the run saved, and the
command it prints continues the run to the end."""
import os, signal, subprocess, sys, time, pathlib
import pandas as pd, pytest

grpo_nb = pathlib.Path(sys.executable).parent / 'grpo_nb'

def _train(run_dir, *extra):
    return [str(grpo_nb), 'train', 'bandit', '--epochs', '40', '--run_dir', str(run_dir), '--no_progress', *extra]

@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM])
def test_signal_saves_and_resumes(tmp_path, sig):
    run_dir = tmp_path / 'run'
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    p = subprocess.Popen(_train(run_dir), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while not (run_dir / 'metrics.csv').exists():       # training has started
        assert p.poll() is None and time.time() - t0 < 120, 'training did not start'
        time.sleep(0.2)
    p.send_signal(sig)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, out[-2000:] + err[-2000:]
    ckpt = run_dir / 'last.safetensors'
    assert ckpt.exists() and f'--resume_ckpt {ckpt} --run_dir {run_dir}' in err, err[-2000:]
    stopped = len(pd.read_csv(run_dir / 'metrics.csv'))
    res = subprocess.run(_train(run_dir, '--resume_ckpt', str(ckpt)), env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    steps = pd.read_csv(run_dir / 'metrics.csv')['step']
    assert 0 < stopped < len(steps) and list(steps) == list(range(len(steps)))   # every step once, in order
