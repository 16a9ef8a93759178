"""Ctrl-C (SIGINT) or a scheduler's SIGTERM stops `grpo_nb train` after the current step with the run saved, and the
command it prints continues the run to the end."""
import os, re, signal, subprocess, sys, time, pathlib
import pandas as pd, pytest

grpo_nb = pathlib.Path(sys.executable).parent / 'grpo_nb'
CTRL_C = dict(preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # as from a terminal, even if these tests run in a shell's background job (SIGINT ignored)

def _train(run_dir, *extra):
    return [str(grpo_nb), 'train', 'bandit', '--epochs', '40', '--run_dir', str(run_dir), '--no_progress', *extra]

@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM])
def test_signal_saves_and_resumes(tmp_path, sig):
    run_dir = tmp_path / 'run'
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    p = subprocess.Popen(_train(run_dir), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **CTRL_C)
    t0 = time.time()
    while not (run_dir / 'metrics.csv').exists():       # training has started
        assert p.poll() is None and time.time() - t0 < 120, 'training did not start'
        time.sleep(0.2)
    p.send_signal(sig)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 128 + sig, out[-2000:] + err[-2000:]   # 130 after SIGINT, 143 after SIGTERM, as shells report them
    ckpt = run_dir / 'last.safetensors'
    assert ckpt.exists() and f'--resume_ckpt {ckpt.resolve()} --run_dir {run_dir.resolve()}' in err, err[-2000:]   # absolute: it works from any folder
    stopped = len(pd.read_csv(run_dir / 'metrics.csv'))
    res = subprocess.run(_train(run_dir, '--resume_ckpt', str(ckpt)), env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    steps = pd.read_csv(run_dir / 'metrics.csv')['step']
    assert 0 < stopped < len(steps) and list(steps) == list(range(len(steps)))   # every step once, in order

def test_sft_ctrl_c_saves_and_resumes(tmp_path):
    "Ctrl-C during `--stage sft` saves the run beside --out (its state, and the weights alone, which load as a restorer); the command it prints finishes it."
    import json, threading
    from grpo_nb.restoration.train import load_restorer
    out = tmp_path / 'sft.safetensors'
    cmd = [str(grpo_nb), 'train', 'restoration', '--stage', 'sft', '--sft_steps', '200', '--patch', '32', '--batch_size', '2', '--out', str(out)]
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **CTRL_C)
    err = []
    reader = threading.Thread(target=lambda: err.extend(iter(lambda: p.stderr.read(1), '')), daemon=True); reader.start()
    t0 = time.time()
    while not re.search(r'\| [1-9]\d*/200', ''.join(err)):   # some steps done
        assert p.poll() is None and time.time() - t0 < 180, ''.join(err)[-2000:]
        time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=120); reader.join(timeout=10)
    err = ''.join(err)
    state, part = tmp_path / 'sft.resume.safetensors', tmp_path / 'sft.interrupted.safetensors'
    assert p.returncode == 130 and f'--ckpt {part.resolve()}' in err and f'--resume_ckpt {state.resolve()}' in err, err[-2000:]
    assert not out.exists()
    model, arch = load_restorer(part)
    assert arch['dim'] == 16
    res = subprocess.run(cmd + ['--resume_ckpt', str(state), '--no_progress'], env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert out.exists() and not state.exists()   # finished; the state is gone with it
    assert json.loads(out.with_suffix('.json').read_text())['sft_config']['steps'] == 200
