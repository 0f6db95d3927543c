"""click's own usage errors in Chinese (issue 12 §5), rendered by the root group
(:class:`~disputes.cli.main.DisputesGroup`) from the error's attributes — the parameter, its
type's choices or range, the option or verb named — never from click's English text.

``--lang en`` (before or after the verb) or ``DISPUTES_LANG=en`` keeps click's own English text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Any

import click

from disputes.cli.exits import INVALID

LANGS = ("zh", "en")


def usage_lang(args: Sequence[str]) -> str:
    """The language of a command line's usage errors: its last valid ``--lang`` (before or
    after the verb), else ``$DISPUTES_LANG``, else Chinese."""
    lang = os.environ.get("DISPUTES_LANG", "zh")
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        if value in LANGS:
            lang = value
    return lang if lang in LANGS else "zh"


def _labels() -> dict[str, str]:
    from disputes.domain import vocabulary

    words: dict[str, str] = {}
    for table in (
        vocabulary.GRADE,
        vocabulary.STATUS,
        vocabulary.OUTCOME,
        vocabulary.ROLE,
        vocabulary.SUPERVISION,
    ):
        for key, (zh, _en) in table.items():
            words.setdefault(str(key), zh)
    words.update({"zh": "中文", "en": "英文"})
    return words


class ChineseUsageError(click.UsageError):
    """A click usage error told in Chinese; exit 2 like the original."""

    exit_code = INVALID

    def __init__(self, original: click.ClickException, text: str) -> None:
        ctx = getattr(original, "ctx", None)
        super().__init__(text, ctx)
        self.original = original

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        lines = []
        if ctx is not None:
            pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
            lines.append(f"用法：{ctx.command_path} {pieces}".rstrip())
            lines.append(f"请运行 {ctx.command_path} --help 查看说明")
        lines.append(f"错误：{self.message}")
        click.echo("\n".join(lines), err=True)


def localise(
    exc: click.ClickException,
    args: Sequence[str],
    lang: str,
    root: click.Context | None = None,
) -> click.ClickException:
    """``exc`` in ``lang``: itself in English (or when it is no usage error click shows as
    such), else a :class:`ChineseUsageError`. ``root``: the root group's context, to find the
    verb of an error click raised without one (an option's missing value)."""
    if lang != "zh" or isinstance(exc, (ChineseUsageError, click.exceptions.NoArgsIsHelpError)):
        return exc
    if isinstance(exc, click.UsageError) and exc.ctx is None and root is not None:
        exc.ctx = _verb_context(root, args)
    text = _text(exc, args)
    return exc if text is None else ChineseUsageError(exc, text)


def _text(exc: click.ClickException, args: Sequence[str]) -> str | None:
    if isinstance(exc, click.FileError):
        return f"无法打开文件 {exc.ui_filename}"
    if isinstance(exc, click.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += "；是否想用：" + "、".join(sorted(exc.possibilities))
        return text
    if isinstance(exc, click.exceptions.NoSuchCommand):
        text = f"没有命令 {exc.command_name!r}"
        if exc.possibilities:
            text += "；是否想用：" + "、".join(sorted(exc.possibilities))
        return text
    if isinstance(exc, click.BadOptionUsage):
        param = _param_named(exc.ctx, exc.option_name)
        if isinstance(param, click.Option) and param.is_flag:
            return f"选项 {exc.option_name} 不接受值"
        return f"选项 {exc.option_name} 需要一个值"
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if isinstance(param, click.Argument):
            return f"缺少参数 {param.human_readable_name}"
        if isinstance(param, click.Option):
            return f"缺少选项 {' / '.join(param.opts)}"
        return None
    if isinstance(exc, click.BadParameter):
        return _bad_value(exc, args)
    if isinstance(exc, click.BadArgumentUsage) or type(exc) is click.UsageError:
        return None  # extra arguments and the like: click's English text
    return None


def _verb_context(root: click.Context, args: Sequence[str]) -> click.Context | None:
    """The context of the (sub)command named on the command line, unparsed."""
    ctx = root
    for arg in args:
        if arg.startswith("-") or not isinstance(ctx.command, click.Group):
            continue
        command = ctx.command.get_command(ctx, arg)
        if command is not None:
            ctx = click.Context(command, info_name=arg, parent=ctx)
    return ctx if ctx is not root else None


def _param_named(ctx: click.Context | None, name: str) -> click.Parameter | None:
    if ctx is None:
        return None
    for param in ctx.command.params:
        if name in getattr(param, "opts", ()) or name in getattr(param, "secondary_opts", ()):
            return param
    return None


def _hint(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    if param is not None:
        return param.human_readable_name
    return "参数"


def _raw_value(
    param: click.Parameter, ctx: click.Context | None, args: Sequence[str]
) -> str | None:
    """The value given for ``param``: after its option name on the command line, else from its
    environment variable, else (an argument) the word its type refuses."""
    if isinstance(param, click.Option):
        found = None
        for i, arg in enumerate(args):
            for opt in param.opts:
                if arg == opt and i + 1 < len(args):
                    found = args[i + 1]
                elif arg.startswith(opt + "="):
                    found = arg.removeprefix(opt + "=")
        if found is not None:
            return found
    envvar = param.envvar if isinstance(param.envvar, str) else None
    if envvar and envvar in os.environ:
        return os.environ[envvar]
    if isinstance(param, click.Argument):
        for arg in reversed(args):
            if arg.startswith("-"):
                continue
            try:
                param.type.convert(arg, param, ctx)
            except click.BadParameter:
                return arg
            except Exception:  # noqa: S112 - a word that is not this argument's
                continue
    return None


def _bad_value(exc: click.BadParameter, args: Sequence[str]) -> str | None:
    param = exc.param
    if param is None:
        return None
    hint = _hint(param)
    value = _raw_value(param, exc.ctx, args)
    given = f" {value!r}" if value is not None else ""
    kind = param.type
    if isinstance(kind, click.Choice):
        labels = _labels()
        choices = "、".join(
            f"{c}（{labels[str(c)]}）" if str(c) in labels else str(c) for c in kind.choices
        )
        return f"{hint} 的值{given} 无效，只能是 {choices}"
    if isinstance(kind, click.Path) and value is not None:
        from pathlib import Path

        path = Path(value)
        if kind.exists and not os.path.lexists(path):
            return f"{hint}：文件 {value!r} 不存在"
        if not kind.dir_okay and path.is_dir():
            return f"{hint}：{value!r} 是文件夹，不是文件"
        if not kind.file_okay and path.is_file():
            return f"{hint}：{value!r} 是文件，不是文件夹"
        if kind.readable and not os.access(path, os.R_OK):
            return f"{hint}：{value!r} 无法读取（没有权限）"
        if kind.writable and not os.access(path, os.W_OK):
            return f"{hint}：{value!r} 无法写入（没有权限）"
        return f"{hint}：{value!r} 无法使用"
    if isinstance(kind, click.IntRange):
        low, high = kind.min, kind.max
        if low is not None and high is not None:
            need = f"{low} 到 {high} 之间的整数"
        elif low is not None:
            need = f"不小于 {low} 的整数" if not kind.min_open else f"大于 {low} 的整数"
        elif high is not None:
            need = f"不大于 {high} 的整数" if not kind.max_open else f"小于 {high} 的整数"
        else:
            need = "整数"
        return f"{hint} 的值{given} 无效，需要 {need}"
    if isinstance(kind, click.types.IntParamType):
        return f"{hint} 的值{given} 无效，需要整数"
    if isinstance(kind, click.types.FloatParamType):
        return f"{hint} 的值{given} 无效，需要数字"
    if isinstance(kind, click.DateTime):
        return f"{hint} 的值{given} 无效，日期格式应为 " + "、".join(kind.formats)
    return f"{hint} 的值{given} 无效"
