"""The trainer runs unchanged under torchrun with DistributedDataParallel (gloo, 2 CPU processes)."""
import os, socket, subprocess, sys, pathlib
import pytest, torch

here = pathlib.Path(__file__).parent

def _free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _run(tmp_path, mode, nproc, epochs=4, timeout=600):
    out = tmp_path / f'{mode}_{nproc}.pt'
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    if nproc == 1: cmd = [sys.executable, str(here / 'ddp_bandit.py'), mode, str(out), str(epochs)]
    else: cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', str(nproc), '--master_addr', '127.0.0.1', '--master_port', str(_free_port()),
                 str(here / 'ddp_bandit.py'), mode, str(out), str(epochs)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    noise = 'find_unused_parameters=True was specified'   # DDP's warning, once per rank
    err = '\n'.join(l for l in res.stderr.splitlines() if noise not in l)
    assert res.returncode == 0, res.stdout[-3000:] + err[-3000:]
    return torch.load(out)

def test_offline_groups_match_single_process(tmp_path):
    "Deterministic data: 2 processes × 8 inputs give the same parameters as 1 process × 16, to 1e-5."
    one, two = _run(tmp_path, 'offline', 1), _run(tmp_path, 'offline', 2)
    assert two['world'] == 2 and one['world'] == 1
    for k in one['params']:
        torch.testing.assert_close(two['params'][k], one['params'][k], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(torch.tensor(two['reward']), torch.tensor(one['reward']), atol=1e-6, rtol=0)

def test_online_bandit_learns_under_ddp(tmp_path):
    "Sampling differs between processes, so outcomes are compared: both reach the target within 0.03."
    one, two = _run(tmp_path, 'online', 1, 12), _run(tmp_path, 'online', 2, 12)
    assert one['eval']['bandit/mean_error'] < 0.03, one['eval']
    assert two['eval']['bandit/mean_error'] < 0.03, two['eval']

def test_nan_on_one_rank_skips_the_step_everywhere(tmp_path):
    "A NaN reward on rank 1 alone: both processes skip that step (rank 0 counts it) and training goes on, instead of rank 0 waiting in DDP's all-reduce."
    two = _run(tmp_path, 'nan1', 2, 1, timeout=300)
    assert two['skipped'] == 1, two['skipped']
