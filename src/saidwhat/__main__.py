"""``python -m saidwhat``: the same command as ``saidwhat``.

Also the file to give ``spark-submit`` for ``saidwhat spark`` on a cluster:
``spark-submit … "$(python -c 'import saidwhat.cli as m; print(m.main_file())')" spark …``.
"""

from saidwhat.cli import app

if __name__ == "__main__":
    app(prog_name="saidwhat")
