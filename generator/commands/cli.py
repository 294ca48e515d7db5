"""The command line: parses arguments, runs a command, prints diagnostics.

This is the one place where problems become exit codes: 0 ok, 1 content errors,
2 usage or configuration errors.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import traceback
from pathlib import Path

import yaml

from .. import __version__
from ..config.catalog import load_catalog
from ..config.site import load_site
from ..model.diagnostics import ConfigError, ContentError, Report, display_path, redact
from ..pipeline.build import build
from ..publish import write
from . import progress

EXIT_OK, EXIT_CONTENT, EXIT_CONFIG = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        message = message.replace("argument ", "参数 ").replace("invalid choice", "无效的选项")
        print(redact(f"命令行参数错误：{message}"), file=sys.stderr)
        sys.exit(EXIT_CONFIG)


def _print_report(report: Report) -> None:
    for diagnostic in report.sorted():
        print(diagnostic.format(), file=sys.stderr)


def _summary(report: Report) -> str:
    return f"{len(report.errors)} 个错误，{len(report.warnings)} 个警告"


def cmd_validate(args) -> int:
    site = load_site(Path(args.site))
    catalog = load_catalog(site)
    report = Report()
    from ..pipeline.sitecheck import check_site  # here: `build` reaches the workers only when it has work to do
    records = check_site(site, catalog, report)
    from ..source.notes import load_notes
    load_notes(site, catalog, report)  # the items' 无信息说明
    if args.strict:
        report = report.strict()
    _print_report(report)
    status = "未通过" if report.has_errors() else "通过"
    print(f"检查{status}：{len(records)} 条记录，{_summary(report)}")
    return EXIT_CONTENT if report.has_errors() else EXIT_OK


def cmd_build(args) -> int:
    out = Path(args.out).resolve() if args.out else None
    if args.package:  # before anything is written: a bad target must not cost the output a build
        from ..publish import outguard
        site = load_site(Path(args.site))
        outguard.check_package(site, out or site.root / "output", Path(args.package))
    with progress.BuildProgress(progress.wanted()) as bar:
        result = build(Path(args.site), out, args.today, args.strict, stage=bar.stage, tick=bar.tick)
    _print_report(result.report)
    seen, changes = result.visibility, result.changes
    print(f"生成完成：发布 {result.records} 条记录；新增 {len(changes.added)} 个文件，更新 {len(changes.changed)} 个，"
          f"删除 {len(changes.removed)} 个，未变 {changes.unchanged} 个；用时 {result.seconds:.1f} 秒")
    if seen.withdrawn or seen.scheduled or seen.drafts:
        print(f"未发布：公示期已过 {len(seen.withdrawn)} 条，定时发布 {len(seen.scheduled)} 条，草稿 {len(seen.drafts)} 条")
    if seen.rows_withdrawn:
        print(f"名单中公示期限已满、已撤下 {seen.rows_withdrawn} 行（页面中不再出现）")
    if result.masked:
        total = sum(result.masked.values())
        print(f"已隐藏个人信息 {total} 处：" + "，".join(f"{k} {v}" for k, v in sorted(result.masked.items())))
    if result.report.warnings:
        print(_summary(result.report))
    out_dir = out or Path(args.site).resolve().parent / "output"
    if changes.removed:
        print(f"有 {len(changes.removed)} 个文件不再生成，上传后请在网站管理系统中删除它们"
              f"（清单见 {display_path(write.manifest_path(out_dir), Path.cwd())} 的 removed）")
    if args.package:
        from ..publish import package  # only for --package: zipfile and its kin stay out of every other run
        count = package.pack(out_dir, changes, Path(args.package))
        print(f"已打包 {count} 个新增和更新的文件：{args.package}")
    return EXIT_OK


def cmd_catalog(args) -> int:
    site = load_site(Path(args.site))
    catalog = load_catalog(site)
    if args.format == "jsonschema":
        return _json_schemas(args, site, catalog)
    if args.item or args.out:
        raise _usage("catalog 的 ITEM-ID 和 --out 只用于 --format jsonschema")
    data = catalog.as_json()
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), end="")
    return EXIT_OK


def cmd_new(args) -> int:
    from ..check import expire
    from . import scaffold

    site = load_site(Path(args.site))
    catalog = load_catalog(site)
    if args.item == "annual-report":
        return _new_annual(args, site, catalog)
    path = scaffold.new_record(site, catalog, args.item, args.title, args.slug, expire.today(args.today))
    print(f"已生成 {display_path(path, Path.cwd())}：草稿，请把示例值换成真实内容，"
          "检查通过（python -m generator validate）后删除 draft: true 一行")
    item = scaffold.find_item(catalog, args.item)
    if item.id not in {i.id for i in catalog.for_level(site.level).items} or item.on_request_only:
        print(f"注意：事项“{item.name}”不在本站（{site.level}）主动公开的目录中，这条记录不会发布", file=sys.stderr)
    return EXIT_OK


def _new_annual(args, site, catalog) -> int:
    from ..annual import scaffold as annual_scaffold
    from ..check import expire
    from . import scaffold
    day = expire.today(args.today)
    year = args.year or annual_scaffold.default_year(day)
    index_no = scaffold.next_index_no(site, catalog, datetime.date(year + 1, 1, 1))
    path = annual_scaffold.new_report(site, year, index_no)
    print(f"已生成 {display_path(path, Path.cwd())}：{year} 年度报告，每个数字为 0。请按模板填写，"
          "检查通过（python -m generator validate）后填写公开日期 published 才会发布")
    return EXIT_OK


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(Path(args.site), args.port, Path(args.out) if args.out else None, args.today)


def cmd_bundle(args) -> int:
    from . import bundle

    name = args.platform or bundle.this_platform()
    if name not in bundle.TARGETS:
        told = f"没有平台“{name}”" if name else "不知道本机是哪一种平台，请用 --platform 指定"
        raise _usage(told, "可选：" + "、".join(bundle.TARGETS))
    dest = Path(args.dir)
    made = bundle.make(dest, name, args.python or bundle.this_python())
    print(f"完成：{len(made.wheels)} 个软件包，Pagefind {bundle.PAGEFIND_VERSION}，"
          f"共 {made.size / 1024 / 1024:.1f} MB。把文件夹 {dest} 整个复制到内网电脑上，按其中的 说明.txt 安装")
    return EXIT_OK


def _usage(message: str, hint: str = "") -> ConfigError:
    from ..model.diagnostics import Location

    report = Report()
    report.error(Location("命令行"), "usage", message, hint)
    return ConfigError(report)


def _json_schemas(args, site, catalog) -> int:
    """One item's schema to stdout, or one file per item (or just the one) under --out."""
    from . import editorschema, scaffold

    if args.item:
        items = [scaffold.find_item(catalog, args.item)]
    elif args.out:
        items = list(catalog.items)
    else:
        raise _usage("--format jsonschema 需要事项 id 或 --out 目录",
                     "例如 catalog --format jsonschema allocation/results，或 --out schemas 为每个事项各写一个文件")
    if not args.out:
        print(json.dumps(editorschema.item_schema(items[0], site), ensure_ascii=False, indent=2))
        return EXIT_OK
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for item in items:
        text = json.dumps(editorschema.item_schema(item, site), ensure_ascii=False, indent=2) + "\n"
        (out / editorschema.schema_file_name(item)).write_text(text, encoding="utf-8")
    print(f"已写入 {len(items)} 个 JSON Schema 文件到 {out}")
    return EXIT_OK


def cmd_check(args) -> int:
    from ..check import expire
    from . import check
    site = load_site(Path(args.site))
    catalog = load_catalog(site)
    report = Report()
    from ..pipeline.sitecheck import check_site  # here: `build` reaches the workers only when it has work to do
    day = expire.today(args.today)
    records = check_site(site, catalog, report, day=day)
    from ..source.notes import load_notes
    notes = load_notes(site, catalog, report)  # the items' 无信息说明
    _print_report(report)
    if report.has_errors():
        raise ContentError(Report())  # diagnostics already printed
    result = check.run(site, catalog, records, day, notes)
    findings = result.findings
    if args.format == "json":
        print(check.as_json(findings))
    else:
        print(redact(check.as_text(findings, catalog, site, day, result.summary)), end="")
    failing = {"error", "warning"} if args.strict else {"error"}
    return EXIT_CONTENT if any(f.severity in failing for f in findings) else EXIT_OK


def _day(text: str) -> str:
    """--today: checked here so that a typo is a usage error, not a crash later."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，应写作 YYYY-MM-DD，如 2026-11-23") from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m generator", description="住房保障信息公开专栏生成器")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="命令", parser_class=_Parser)

    def verb(name, helptext, func):
        sub = verbs.add_parser(name, help=helptext, description=helptext)
        sub.add_argument("--site", default="site.yaml", help="site.yaml 的位置（默认当前目录下的 site.yaml）")
        sub.set_defaults(func=func)
        return sub

    build_verb = verb("build", "检查、隐藏个人信息并生成网站到 output/", cmd_build)
    build_verb.add_argument("--out", help="输出目录（默认 site.yaml 旁的 output/）")
    build_verb.add_argument("--today", type=_day, help="把“今天”定为这一天（YYYY-MM-DD），用于公示期和定时发布")
    build_verb.add_argument("--strict", action="store_true", help="把警告也当作错误")
    build_verb.add_argument("--package", metavar="FILE.zip", help="把本次新增和更新的文件打成一个 zip，便于上传")
    validate = verb("validate", "检查全部记录，不写任何文件", cmd_validate)
    validate.add_argument("--strict", action="store_true", help="把警告也当作错误")
    check_verb = verb("check", "检查公开时限和空白栏目（按法定工作日计算）", cmd_check)
    check_verb.add_argument("--today", type=_day, help="把“今天”定为这一天（YYYY-MM-DD）")
    check_verb.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    check_verb.add_argument("--strict", action="store_true", help="有警告也以状态 1 退出")
    catalog = verb("catalog", "输出生效的公开目录（标准目录加本地扩展）", cmd_catalog)
    catalog.add_argument("--format", choices=("yaml", "json", "jsonschema"), default="yaml",
                         help="输出格式；jsonschema 输出一个事项的记录文件的 JSON Schema，供编辑器检查")
    catalog.add_argument("item", nargs="?", metavar="ITEM-ID", help="事项 id（只用于 --format jsonschema）")
    catalog.add_argument("--out", help="把每个事项的 JSON Schema 写到这个目录（只用于 --format jsonschema）")
    new = verb("new", "为一个事项生成记录模板（每个字段附中文说明）", cmd_new)
    new.add_argument("item", metavar="ITEM-ID",
                     help="事项 id，如 allocation/results（见 catalog 命令）；annual-report 生成政府信息公开工作年度报告")
    new.add_argument("--year", type=int, help="年度报告的年度（只用于 annual-report；默认上一年）")
    new.add_argument("--title", help="信息名称")
    new.add_argument("--slug", help="文件名（不含扩展名，小写字母、数字和 -；默认用日期）")
    new.add_argument("--today", type=_day, help="把“今天”定为这一天（YYYY-MM-DD），用于 date 和索引号的年份")
    serve = verb("serve", "在本机预览网站，修改后自动重新生成并刷新浏览器", cmd_serve)
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000），只在 127.0.0.1 上提供")
    serve.add_argument("--out", help="预览文件放在哪里（默认临时文件夹；不会改动 output/）")
    serve.add_argument("--today", type=_day, help="把“今天”定为这一天（YYYY-MM-DD）")
    bundle = verbs.add_parser("bundle", help="生成离线安装包：内网电脑不联网也能安装（含中文全文搜索）",
                              description="生成离线安装包：内网电脑不联网也能安装（含中文全文搜索）")
    bundle.add_argument("dir", metavar="DIR", help="写到这个文件夹（必须不存在或是空的）")
    bundle.add_argument("--platform", metavar="平台",
                        help="内网电脑的平台：linux-x86_64、linux-aarch64 或 windows-x86_64（默认本机的）")
    bundle.add_argument("--python", metavar="版本", help="内网电脑上的 Python 版本，如 3.11（默认本机的）")
    bundle.set_defaults(func=cmd_bundle)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_CONFIG
    try:
        return args.func(args)
    except ConfigError as problem:
        _print_report(problem.report)
        print(f"配置有误：{_summary(problem.report)}", file=sys.stderr)
        return EXIT_CONFIG
    except ContentError as problem:
        _print_report(problem.report)
        print(f"未完成：{_summary(problem.report)}", file=sys.stderr)
        return EXIT_CONTENT
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except Exception:  # a bug of ours, never the user's input: say so plainly
        if os.environ.get("GENERATOR_DEBUG"):
            traceback.print_exc()
        kind = sys.exc_info()[0].__name__
        print(f"程序内部错误（{kind}）。这不是内容的问题，请把命令和这段信息报告给技术支持；"
              "设置环境变量 GENERATOR_DEBUG=1 可看到详细信息。", file=sys.stderr)
        return EXIT_CONFIG
