"""A real browser drives the reward-weight explorer: JupyterLab on 127.0.0.1 runs a copy of `widgets_demo.ipynb`,
Debian's Chromium (through playwright) moves a weight slider with the keyboard, and the ranking on the page must change.
A screenshot is saved to test_artifacts/. A browser that cannot start fails the test; it is never skipped."""
import json, os, secrets, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = Path(__file__).resolve().parent / 'widgets_demo.ipynb'
ARTIFACTS = ROOT / 'test_artifacts'
SCREENSHOT = ARTIFACTS / 'widgets_browser.png'
CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']

def chromium()->str:
    "Debian's chromium; installed with apt when missing and we are root; otherwise the test fails."
    if not os.path.exists(CHROMIUM) and hasattr(os, 'geteuid') and os.geteuid() == 0:
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        subprocess.run(['apt-get', 'update', '-qq'], env=env, check=False)
        subprocess.run(['apt-get', 'install', '-y', '-qq', 'chromium'], env=env, check=False)
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found and could not be installed: run `apt-get install -y chromium` as root")
    return CHROMIUM

def free_port()->int:
    "A TCP port on 127.0.0.1 that nothing listens on right now."
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def get_json(url:str):
    with urllib.request.urlopen(url, timeout=5) as r: return json.loads(r.read())

class Lab:
    "A JupyterLab server on 127.0.0.1 (free port, random token) serving a folder, in its own process group."
    def __init__(self, root:Path, tmp:Path):
        self.port, self.token, self.tmp = free_port(), secrets.token_hex(16), tmp
        self.url = f'http://127.0.0.1:{self.port}'
        env = {**os.environ, 'OMP_NUM_THREADS': '1', 'JUPYTER_CONFIG_DIR': str(tmp / 'config'),
               'JUPYTER_RUNTIME_DIR': str(tmp / 'runtime'), 'JUPYTERLAB_SETTINGS_DIR': str(tmp / 'settings'),
               'JUPYTERLAB_WORKSPACES_DIR': str(tmp / 'workspaces')}
        notes = tmp / 'settings' / '@jupyterlab' / 'apputils-extension'    # no "news?" toast over the widgets
        notes.mkdir(parents=True, exist_ok=True)
        (notes / 'notification.jupyterlab-settings').write_text('{"fetchNews": "false", "checkForUpdates": false}')
        self.log = open(tmp / 'jupyterlab.log', 'w')
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={self.port}',
             '--ServerApp.port_retries=0', f'--IdentityProvider.token={self.token}', f'--ServerApp.root_dir={root}',
             '--ServerApp.terminals_enabled=False', '--LabApp.news_url=',
             '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
            + (['--allow-root'] if hasattr(os, 'geteuid') and os.geteuid() == 0 else []),
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True)

    def api(self, path:str): return get_json(f'{self.url}/api/{path}?token={self.token}')

    def wait_ready(self, timeout:float=90):
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None: pytest.fail(f"JupyterLab exited with {self.proc.returncode}:\n{self.tail()}")
            try: self.api('status'); return
            except OSError: time.sleep(.5)
        pytest.fail(f"JupyterLab did not answer within {timeout} s:\n{self.tail()}")

    def wait_idle(self, timeout:float=120, settle:float=1.):
        "Wait until a kernel runs and every kernel has been idle for `settle` seconds."
        t0, since = time.time(), None
        while time.time() - t0 < timeout:
            try: kernels = self.api('kernels')
            except OSError: kernels = []
            if kernels and all(k['execution_state'] == 'idle' for k in kernels):
                since = since or time.time()
                if time.time() - since >= settle: return
            else: since = None
            time.sleep(.25)
        pytest.fail(f"the kernel was not idle within {timeout} s: {kernels}")

    def tail(self, n:int=3000)->str:
        self.log.flush()
        return Path(self.log.name).read_text()[-n:]

    def stop(self):
        try: os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError: pass
        try: self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL); self.proc.wait(5)
        self.log.close()

@pytest.fixture
def lab(tmp_path):
    work = tmp_path / 'notebooks'; work.mkdir()
    shutil.copy(DEMO, work / DEMO.name)
    server = Lab(work, tmp_path)
    try:
        server.wait_ready()
        yield server
    finally: server.stop()

def run_all(page):
    "Run → Run All Cells, through the menu bar."
    page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click()
    page.locator('.lm-Menu-itemLabel', has_text='Run All Cells').first.click()

def test_slider_reranks_in_browser(lab):
    from playwright.sync_api import sync_playwright
    exe = chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(lab.tmp / 'profile'), executable_path=exe, headless=True,
                                                   args=FLAGS, viewport={'width': 1400, 'height': 1200})
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        try:
            page.goto(f'{lab.url}/lab/tree/{DEMO.name}?token={lab.token}', timeout=90_000)
            page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=90_000)
            lab.wait_idle()
            ranking = page.locator('.grpo-ranking')
            for run_attempt in range(3):                # the first run against a fresh server is flaky
                run_all(page)
                try: ranking.first.wait_for(state='visible', timeout=90_000); break
                except Exception:
                    if run_attempt == 2: raise
                    lab.wait_idle()
            lab.wait_idle()
            handle = page.locator('.grpo-w-psnr .noUi-handle').first
            flags = page.locator('.grpo-flags input').first
            before, flags_before = ranking.first.inner_text(), flags.input_value()
            assert '--grpo_w_psnr 0.4 ' in flags_before, flags_before
            changed = False
            for attempt in range(3):                    # retry the first interaction after the kernel is idle
                handle.focus()
                page.keyboard.press('ArrowRight')
                t0 = time.time()
                while time.time() - t0 < 15 and not changed:
                    changed = ranking.first.inner_text() != before
                    if not changed: page.wait_for_timeout(250)
                if changed: break
                lab.wait_idle()
            after = ranking.first.inner_text()
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            assert changed, f"the ranking text did not change after moving the PSNR slider: {before!r}"
            assert '--grpo_w_psnr 0.4 ' not in flags.input_value(), flags.input_value()
            print(f"run-all attempts: {run_attempt + 1}, key-press attempts: {attempt + 1}\nranking before: {before}\n"
                  f"ranking after:  {after}\nflags: {flags.input_value()}\nscreenshot: {SCREENSHOT}")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / 'widgets_browser_failure.png'), full_page=True)
            print(lab.tail())
            raise
        finally: ctx.close()
