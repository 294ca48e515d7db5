"""The texts an offline bundle carries (bundle.py): its installers and its 说明.txt.

@PYTHON@, @PLATFORM@, @VERSION@, @PAGEFIND@, @DATE@ are filled in when the bundle is made.
The Windows texts are written in GBK with CRLF line ends (bundle.py): cmd.exe reads a batch
file in the console's code page, 936 on Chinese Windows, and Notepad opens GBK there too.
install.bat has not run on Windows in the tests (tests/test_bundle.py checks its text only).
"""
from __future__ import annotations

INSTALL_SH = r"""#!/bin/sh
# 住房保障信息公开专栏生成器 @VERSION@：离线安装（@PLATFORM@，Python @PYTHON@）。
# 用法：sh install.sh [安装到的文件夹]      默认是本文件夹中的 venv/
# 不联网：所有软件包都在 wheels/ 中，中文全文搜索程序 Pagefind 在 pagefind/ 中。
set -e
unset PYTHONPATH PYTHONHOME
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-"$here/venv"}
want=@PYTHON@

python=
for candidate in ${PYTHON:-} "python$want" python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want" ]; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ]; then
  echo "没有找到 Python $want（试过 python$want、python3、python）。" >&2
  if command -v python3 >/dev/null 2>&1; then echo "本机的 python3 是 $(python3 --version 2>&1)。" >&2; fi
  echo "请先安装 Python $want，或用环境变量 PYTHON 指定它的位置：PYTHON=/路径/python$want sh install.sh" >&2
  echo "本机已有别的 Python 3.11 以上版本时，也可以在联网的电脑上用 --python 该版本号 重新生成安装包。" >&2
  exit 1
fi

if [ ! -x "$target/bin/python" ]; then
  echo "创建虚拟环境 $target（用 $python）"
  if ! "$python" -m venv "$target"; then
    echo "创建虚拟环境失败。Debian、Ubuntu、统信 UOS、麒麟上需要软件包 python$want-venv。" >&2
    exit 1
  fi
fi
echo "安装生成器和它需要的软件包（不联网，只用 wheels/ 中的文件）"
"$target/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" --force-reinstall @DISTRIBUTION@
cp "$here/pagefind/pagefind_extended" "$target/bin/pagefind_extended"
chmod 755 "$target/bin/pagefind_extended"

"$target/bin/python" -m generator --version
"$target/bin/python" -c 'from generator.outputs.search import find_binary; print("中文全文搜索程序：", find_binary())'
echo "安装完成。生成网站：$target/bin/python -m generator build --site 网站文件夹/site.yaml"
echo "试一试示例网站：$target/bin/python -m generator build --site \"$here/@DEMO@/site.yaml\""
"""

INSTALL_BAT = r"""@echo off
rem 住房保障信息公开专栏生成器 @VERSION@：离线安装（@PLATFORM@，Python @PYTHON@）。
rem 用法：install.bat [安装到的文件夹]      默认是本文件夹中的 venv\
rem 不联网：所有软件包都在 wheels\ 中，中文全文搜索程序 Pagefind 在 pagefind\ 中。
setlocal
set "PYTHONPATH="
set "PYTHONHOME="
set "PIP_DISABLE_PIP_VERSION_CHECK=1"
set "PIP_NO_INPUT=1"
set "HERE=%~dp0"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%HERE%venv"
set "WANT=@PYTHON@"
set "CHECK=import sys; sys.exit(sys.version_info[:2] != (@PYTHON_TUPLE@))"

rem "if defined" below: PY may hold a quoted path, which breaks an if with quotes
set "PY="
if defined PYTHON (
  "%PYTHON%" -c "%CHECK%" >nul 2>&1 && set PY="%PYTHON%"
)
if not defined PY (
  py -%WANT% -c "%CHECK%" >nul 2>&1 && set "PY=py -%WANT%"
)
if not defined PY (
  python -c "%CHECK%" >nul 2>&1 && set "PY=python"
)
if not defined PY (
  echo 没有找到 Python %WANT%（试过 py -%WANT% 和 python）。
  echo 请先安装 Python %WANT%（https://www.python.org/downloads/windows/ 的 Windows installer 64-bit），
  echo 或用环境变量 PYTHON 指定 python.exe 的位置。
  goto failed
)

if exist "%TARGET%\Scripts\python.exe" goto venv_ready
echo 创建虚拟环境 %TARGET%
%PY% -m venv "%TARGET%" || goto failed
:venv_ready
echo 安装生成器和它需要的软件包（不联网，只用 wheels\ 中的文件）
set "PIP_FIND_LINKS=%HERE%wheels"
"%TARGET%\Scripts\python.exe" -m pip install --quiet --no-index --force-reinstall @DISTRIBUTION@ || goto failed
copy /Y "%HERE%pagefind\pagefind_extended.exe" "%TARGET%\Scripts\pagefind_extended.exe" >nul || goto failed

"%TARGET%\Scripts\python.exe" -m generator --version || goto failed
"%TARGET%\Scripts\python.exe" -c "from generator.outputs.search import find_binary; print(find_binary())" || goto failed
echo 安装完成。生成网站："%TARGET%\Scripts\python.exe" -m generator build --site 网站文件夹\site.yaml
echo 试一试示例网站："%TARGET%\Scripts\python.exe" -m generator build --site "%HERE%@DEMO@\site.yaml"
set "CODE=0"
goto end

:failed
echo 安装没有完成，请看上面的出错信息。
set "CODE=1"
:end
rem a double-clicked window closes at once: keep it open to be read (ZFBZ_NO_PAUSE=1 in scripts)
if not defined ZFBZ_NO_PAUSE pause
exit /b %CODE%
"""

README = """住房保障信息公开专栏生成器 @VERSION@ 离线安装包

适用于：@PLATFORM@，Python @PYTHON@（必须是这个版本）。@DATE@ 生成。
安装时不需要联网：全部软件包和中文全文搜索程序都在这个文件夹里。

文件夹中有：
  wheels/      生成器和它需要的全部 Python 软件包
  pagefind/    中文全文搜索程序 Pagefind @PAGEFIND@（扩展版，带中文分词）
  @DEMO@/    示例网站，用来检查安装是否成功
  @INSTALLER@

安装步骤：
  1. 确认本机装有 Python @PYTHON@：@PYTHON_CHECK@
  2. 把整个文件夹复制到本机，运行 @RUN@
     它会在本文件夹中建立 venv（也可以在命令后面写另一个文件夹），把生成器装进去。
  3. 最后几行显示生成器的版本和“中文全文搜索程序”的位置，就说明安装成功。

检查：生成示例网站
  @BUILD@
  完成后，示例网站文件夹中的 output/pagefind/ 里有搜索索引文件，就说明搜索可用。
  （直接用浏览器打开本机文件时不能搜索；用 generator serve 预览或上传到网站后即可。）

详细说明见生成器文档 docs/webmaster.md 的“内网离线安装”一节。
"""

LINUX = {
    "@INSTALLER@": "install.sh   安装程序",
    "@PYTHON_CHECK@": "python@PYTHON@ --version 或 python3 --version",
    "@RUN@": "sh install.sh",
    "@BUILD@": "venv/bin/python -m generator build --site @DEMO@/site.yaml",
}
WINDOWS = {
    "@INSTALLER@": "install.bat  安装程序（双击或在命令提示符中运行）",
    "@PYTHON_CHECK@": "在命令提示符中运行 py -@PYTHON@ --version",
    "@RUN@": "install.bat",
    "@BUILD@": "venv\\Scripts\\python.exe -m generator build --site @DEMO@\\site.yaml",
}


def fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text
