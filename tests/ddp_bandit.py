"""Train the bandit (offline groups: deterministic; or online) and save the final policy parameters.
Run directly for one process or under `torchrun --nproc_per_node N` for N; used by test_distributed.py."""
import faulthandler, gc, os, sys, torch
import torch.distributed as dist
from grpo_nb.core import set_seed
from grpo_nb.bandit import BetaBandit, OfflineBetaBandit, offline_groups, bandit_data
from grpo_nb.trainer import GRPOConfig, GRPOTrainer

faulthandler.enable()   # a C++ abort (SIGABRT) prints where each Python thread was
mode, out = sys.argv[1], sys.argv[2]
torch.set_num_threads(1)
cfg = GRPOConfig(group_size=8, batch_size=16, epochs=int(sys.argv[3]) if len(sys.argv) > 3 else 4, lr=0.03, progress=False)
if mode == 'offline':
    data = offline_groups(BetaBandit(), n=128, G=8, seed=0)
    set_seed(0); task = OfflineBetaBandit()
elif mode == 'nan1':   # rank 1's first reward is NaN: every process must skip that step, or the others wait in DDP's all-reduce for ever
    class NanOnRank1(BetaBandit):
        spoilt = False
        def reward(self, ro, batch):
            r = super().reward(ro, batch)
            if int(os.environ.get('RANK', 0)) == 1 and not self.spoilt: self.spoilt = True; r.total[0, 0] = float('nan')
            return r
    data = bandit_data(256)
    set_seed(0); task = NanOnRank1()
else:
    data = bandit_data(256)
    set_seed(0); task = BetaBandit()
trainer = GRPOTrainer(task, data, cfg, eval_data=bandit_data(4))
df = trainer.fit()
print(f'rank {trainer.rank}: fit done', flush=True)
if trainer.rank == 0:
    torch.save({'params': {k: v.detach().clone() for k, v in task.model.state_dict().items()},
                'eval': trainer.evaluate(), 'reward': df['reward/total_mean'].tolist(),
                'world': trainer.world, 'skipped': trainer.skipped}, out)
    print('rank 0: saved', flush=True)
if dist.is_initialized():
    # Rank 1 aborted twice in CI ('terminate called without an active exception'), where is unknown: so rank 1 does not
    # tear down while rank 0 still saves, DDP goes before its process group, os._exit skips the interpreter's teardown,
    # and the 'fit done' / 'saved' lines with faulthandler's stacks say where the next one happens.
    dist.barrier(); del trainer; gc.collect(); dist.destroy_process_group()
    sys.stdout.flush(); sys.stderr.flush(); os._exit(0)
