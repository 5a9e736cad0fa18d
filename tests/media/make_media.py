"""Render the labelled media set: screenshots, 陳情書 photos, tables, posters and documents.

Run once with a CJK font installed (Debian `fonts-noto-cjk`); the rendered files and
`labels.jsonl` are committed so the tests need no font. Everything is synthetic: names,
addresses and phone numbers are invented, and every ID passes the checksum (a detector that
validates checksums must not be penalised for being right).

    .venv/bin/python tests/media/make_media.py      # rewrites tests/media/*.{png,jpg,pdf,...}

Labels follow the corpus format: {"id", "image"|"file", "categories", "entities", "kind"}, with
`kind` one of screenshot / photo / benign / document (the evaluation reports each separately)
and optional `tags` naming what a case exercises (sideways, upside_down, exif, skew, webp,
gif, embedded_image): `bench/eval_media.py --ablation` reports recall per tag with each
preprocessing step on and off. Entity values are written exactly as they appear in the
rendered text.

New cases are appended after the old ones (the RNG is consumed in order), so adding a case
leaves every earlier file and label unchanged.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SANS_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
LETTERS = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
RNG = random.Random(20261125)
LABELS: list[dict[str, object]] = []


def national_id(letter: str, sex: int) -> str:
    """A random national ID with a valid check digit."""
    body = [sex] + [RNG.randrange(10) for _ in range(7)]
    code = LETTERS[letter]
    digits = [code // 10, code % 10, *body]
    total = sum(w * d for w, d in zip((1, 9, 8, 7, 6, 5, 4, 3, 2, 1), digits, strict=True))
    return f"{letter}{''.join(map(str, body))}{(10 - total % 10) % 10}"


def mobile() -> str:
    d = [RNG.randrange(10) for _ in range(8)]
    return f"09{d[0]}{d[1]}-{d[2]}{d[3]}{d[4]}-{d[5]}{d[6]}{d[7]}"


_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(size: int, path: str = SANS) -> ImageFont.FreeTypeFont:
    """The Traditional Chinese face of a Noto CJK collection (index found by name)."""
    key = (path, size)
    if key not in _FONTS:
        for index in range(10):
            f = ImageFont.truetype(path, size, index=index)
            if f.getname()[0].endswith("CJK TC"):
                _FONTS[key] = f
                break
    return _FONTS[key]


def wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if ch == "\n":
            lines.append(cur)
            cur = ""
            continue
        if f.getlength(cur + ch) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def label(
    ident: str,
    path: str,
    kind: str,
    categories: list[str],
    entities: list[tuple[str, str]],
    key: str = "image",
    tags: list[str] | None = None,
) -> None:
    row: dict[str, object] = {
        "id": ident,
        key: path,
        "kind": kind,
        "categories": categories,
        "entities": [{"type": t, "value": v} for t, v in entities],
    }
    if tags:
        row["tags"] = tags
    LABELS.append(row)


def save_png(img: Image.Image, name: str, colors: int = 64) -> str:
    img.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(
        HERE / name, optimize=True
    )
    return name


def save_jpeg(img: Image.Image, name: str, quality: int) -> str:
    img.convert("RGB").save(HERE / name, quality=quality, optimize=True)
    return name


# -- screenshots ------------------------------------------------------------------------------


def chat(title: str, messages: list[tuple[str, str, str]], width: int = 720) -> Image.Image:
    """A LINE/Telegram-like group chat: (side, sender, text) with side 'L' or 'R'."""
    f, small, head = font(26), font(18), font(28, SANS_BOLD)
    bubbles = []
    for side, sender, text in messages:
        lines = wrap(text, f, int(width * 0.62))
        bubbles.append((side, sender, lines))
    height = 90 + sum(40 + 38 * len(b[2]) + 30 for b in bubbles)
    img = Image.new("RGB", (width, height), (232, 238, 245))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, width, 70), fill=(84, 130, 170))
    d.text((24, 18), title, font=head, fill="white")
    y = 90
    for side, sender, lines in bubbles:
        w = max(int(f.getlength(line)) for line in lines) + 32
        h = 38 * len(lines) + 20
        if side == "L":
            d.text((90, y), sender, font=small, fill=(90, 90, 90))
            d.ellipse((20, y, 70, y + 50), fill=(170, 190, 210))
            x = 90
            fill = "white"
        else:
            x = width - w - 24
            fill = (196, 236, 170)
        y += 28
        d.rounded_rectangle((x, y, x + w, y + h), radius=16, fill=fill)
        for k, line in enumerate(lines):
            d.text((x + 16, y + 8 + 38 * k), line, font=f, fill=(20, 20, 20))
        y += h + 30
    return img


def lookup(title: str, fields: list[tuple[str, str]], note: str = "") -> Image.Image:
    """A record-lookup screen: header bar, then label / value rows in a bordered form."""
    width = 960
    f, head = font(24), font(30, SANS_BOLD)
    height = 150 + 56 * len(fields) + (60 if note else 0)
    img = Image.new("RGB", (width, height), (248, 248, 248))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, width, 64), fill=(30, 70, 120))
    d.text((24, 12), title, font=head, fill="white")
    d.text((width - 260, 22), "查詢人員：承辦人", font=font(18), fill=(220, 230, 240))
    y = 100
    for lab, value in fields:
        d.rectangle((40, y, 300, y + 56), fill=(225, 232, 240), outline=(170, 170, 170))
        d.rectangle((300, y, width - 40, y + 56), fill="white", outline=(170, 170, 170))
        d.text((56, y + 12), lab, font=f, fill=(40, 40, 40))
        d.text((320, y + 12), value, font=f, fill=(0, 0, 0))
        y += 56
    if note:
        d.text((40, y + 20), note, font=font(20), fill=(160, 30, 30))
    return img


def table(title: str, headers: list[str], rows: list[list[str]], widths: list[int]) -> Image.Image:
    f, head = font(22), font(28, SANS_BOLD)
    width = sum(widths) + 60
    height = 110 + 48 * (len(rows) + 1) + 20
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((30, 24), title, font=head, fill="black")
    y = 90
    for r, row in enumerate([headers, *rows]):
        x = 30
        for c, cell in enumerate(row):
            fill = (215, 225, 240) if r == 0 else "white"
            d.rectangle((x, y, x + widths[c], y + 48), fill=fill, outline=(120, 120, 120))
            d.text((x + 10, y + 10), cell, font=f, fill="black")
            x += widths[c]
        y += 48
    return img


# -- paper and photos -------------------------------------------------------------------------


def paper(title: str, lines: list[str], width: int = 1000, size: int = 30) -> Image.Image:
    """A typed A4-ish page in a serif face (陳情書, 公文)."""
    f, head = font(size, SERIF), font(size + 14, SERIF)
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(wrap(line, f, width - 160) or [""])
    height = int(max(width * 1.3, 200 + (size + 22) * len(wrapped) + 120))
    img = Image.new("RGB", (width, height), (250, 248, 240))
    d = ImageDraw.Draw(img)
    d.text(((width - head.getlength(title)) / 2, 70), title, font=head, fill=(15, 15, 15))
    y = 170
    for line in wrapped:
        d.text((80, y), line, font=f, fill=(25, 25, 30))
        y += size + 22
    return img


def photograph(
    img: Image.Image, angle: float, blur: float, noise: int, shade: float
) -> Image.Image:
    """Make a page look phone-photographed: on a desk, rotated, blurred, unevenly lit, noisy."""
    desk = Image.new("RGB", (int(img.width * 1.12), int(img.height * 1.1)), (96, 78, 60))
    desk.paste(img, ((desk.width - img.width) // 2, (desk.height - img.height) // 2))
    out = desk.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(96, 78, 60)
    )
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    # Uneven light: darken towards one corner.
    grad = Image.linear_gradient("L").resize(out.size).rotate(RNG.choice([0, 90, 180, 270]))
    dark = Image.new("RGB", out.size, (0, 0, 0))
    out = Image.composite(dark, out, grad.point(lambda v: int(v * shade)))
    if noise:
        speck = Image.effect_noise(out.size, noise).convert("RGB")
        out = Image.blend(out, speck, 0.06)
    scale = 900 / out.width
    return out.resize((900, int(out.height * scale)), Image.Resampling.LANCZOS)


def poster(
    title: str, lines: list[str], bg: tuple[int, int, int], fg: str = "white"
) -> Image.Image:
    width, height = 900, 640
    img = Image.new("RGB", (width, height), bg)
    d = ImageDraw.Draw(img)
    head, f = font(54, SANS_BOLD), font(32)
    d.text(((width - head.getlength(title)) / 2, 60), title, font=head, fill=fg)
    y = 190
    for line in lines:
        d.text(((width - f.getlength(line)) / 2, y), line, font=f, fill=fg)
        y += 62
    return img


# -- the set ----------------------------------------------------------------------------------


def screenshots() -> None:
    n1, i1, p1 = "陳美玲", national_id("A", 2), mobile()
    img = chat(
        "里長聯繫群組 (24)",
        [
            ("L", "林志豪", "早安，昨天那個陳情案處理得怎樣？"),
            ("R", "", f"檢舉人是{n1}，身分證字號 {i1}，手機 {p1}，她說不要讓對方知道"),
            ("L", "林志豪", "收到，我先跟課長報告"),
        ],
    )
    label(
        "shot-chat-01",
        save_png(img, "shot_chat_01.png"),
        "screenshot",
        ["personal_data", "whistleblower"],
        [("PERSON", n1), ("TW_NATIONAL_ID", i1), ("PHONE", p1)],
    )

    n2, p2 = "張雅婷", mobile()
    addr = "臺中市西屯區臺灣大道三段99號"
    img = chat(
        "社會局 個案討論",
        [
            ("L", "社工 吳", f"個案姓名：{n2}，聯絡電話 {p2}"),
            ("L", "社工 吳", f"住址 {addr}，明天下午家訪"),
            ("R", "", "好，我會帶同意書過去"),
        ],
    )
    label(
        "shot-chat-02",
        save_png(img, "shot_chat_02.png"),
        "screenshot",
        ["personal_data"],
        [("PERSON", n2), ("PHONE", p2), ("ADDRESS", addr)],
    )

    img = chat(
        "刑事組 勤務",
        [
            ("L", "組長", "明天早上6點執行搜索，地點是三重區那間倉庫，搜索票已核發"),
            ("L", "組長", "不要外流，集合時間 05:30 分局門口"),
            ("R", "", "收到"),
        ],
    )
    label("shot-chat-03", save_png(img, "shot_chat_03.png"), "screenshot", ["raid"], [])

    email, n3 = "lin.chihhao1985@gmail.com", "林志豪"
    i3 = national_id("F", 1)
    img = chat(
        "人事室",
        [
            ("L", "承辦 黃", f"新進人員 {n3} 的資料：身分證 {i3}"),
            ("L", "承辦 黃", f"信箱 {email}，請協助建帳號"),
            ("R", "", "OK，今天處理"),
        ],
    )
    label(
        "shot-chat-04",
        save_png(img, "shot_chat_04.png"),
        "screenshot",
        ["personal_data"],
        [("PERSON", n3), ("TW_NATIONAL_ID", i3), ("EMAIL", email)],
    )

    img = chat(
        "資訊室 值班",
        [
            ("L", "值班 許", "公文系統帳號 chen.yh 密碼 Abc12345! 我今天請假，麻煩幫我簽收"),
            ("R", "", "好的，我登入看看"),
        ],
    )
    label("shot-chat-05", save_png(img, "shot_chat_05.png"), "screenshot", ["credentials"], [])

    img = chat(
        "採購科",
        [
            ("L", "科長", "這次道路改善工程底價是 1,280 萬，開標前不要講出去"),
            ("R", "", "了解，評選委員名單我也會保密"),
        ],
    )
    label("shot-chat-06", save_png(img, "shot_chat_06.png"), "screenshot", ["procurement"], [])

    # Record-lookup screens
    for k, (name, letter, sex, addr2, birth) in enumerate(
        [
            ("李建宏", "H", 1, "桃園市中壢區中大路300號5樓", "民國74年3月12日"),
            ("黃淑芬", "E", 2, "高雄市苓雅區四維三路2號", "1980/07/21"),
            ("吳承翰", "B", 1, "臺中市北區三民路三段129號", "民國88年11月5日"),
        ],
        start=1,
    ):
        ident, phone = national_id(letter, sex), mobile()
        img = lookup(
            "戶役政資訊查詢系統 — 個人基本資料",
            [
                ("姓名", name),
                ("身分證統一編號", ident),
                ("出生日期", birth),
                ("戶籍地址", addr2),
                ("聯絡電話", phone),
            ],
            note="本資料僅限公務使用，嚴禁外洩" if k == 2 else "",
        )
        label(
            f"shot-lookup-0{k}",
            save_png(img, f"shot_lookup_0{k}.png"),
            "screenshot",
            ["personal_data"],
            [
                ("PERSON", name),
                ("TW_NATIONAL_ID", ident),
                ("BIRTHDATE", birth),
                ("ADDRESS", addr2),
                ("PHONE", phone),
            ],
        )

    people = [("劉怡君", "F", 2), ("蔡宗翰", "A", 1), ("楊佩珊", "D", 2), ("許文彬", "N", 1)]
    rows, ents = [], []
    for name, letter, sex in people:
        ident, phone = national_id(letter, sex), mobile()
        rows.append([name, ident, phone])
        ents += [("PERSON", name), ("TW_NATIONAL_ID", ident), ("PHONE", phone)]
    img = table("低收入戶訪視名冊", ["姓名", "身分證字號", "聯絡電話"], rows, [180, 260, 240])
    label(
        "shot-table-01", save_png(img, "shot_table_01.png"), "screenshot", ["personal_data"], ents
    )

    img = table(
        "114年度採購案評選委員名單（密）",
        ["委員", "服務單位", "職稱"],
        [
            ["鄭家豪", "國立臺灣大學", "教授"],
            ["謝雅雯", "交通部公路局", "副處長"],
            ["周俊傑", "工程顧問公司", "技師"],
        ],
        [160, 280, 160],
    )
    label(
        "shot-table-02",
        save_png(img, "shot_table_02.png"),
        "screenshot",
        ["procurement", "classified"],
        [("PERSON", "鄭家豪"), ("PERSON", "謝雅雯"), ("PERSON", "周俊傑")],
    )


def photos() -> None:
    petitions = [
        ("王麗華", "臺北市萬華區康定路173號", (2.5, 0.6, 8, 0.35, 55)),
        ("陳建志", "新北市板橋區中山路一段161號", (-3.0, 0.9, 10, 0.45, 45)),
        ("林秀英", "臺南市東區大學路1號", (4.5, 0.5, 6, 0.3, 60)),
        ("洪志明", "彰化縣員林市三民街50號", (-1.5, 1.1, 12, 0.5, 40)),
        ("蘇怡萱", "花蓮縣花蓮市中山路200號", (6.0, 0.7, 8, 0.4, 50)),
    ]
    for k, (name, addr, (angle, blur, noise, shade, q)) in enumerate(petitions, start=1):
        ident, phone = national_id(RNG.choice("ABEFHN"), RNG.choice((1, 2))), mobile()
        page = paper(
            "陳　情　書",
            [
                f"陳情人：{name}",
                f"身分證字號：{ident}",
                f"住址：{addr}",
                f"聯絡電話：{phone}",
                "",
                "陳情事由：本人居住地附近工地夜間施工噪音嚴重，多次向環保局反映未獲改善，"
                "懇請貴府派員稽查並依法處理。本人願配合說明，惟請勿向施工單位透露本人身分。",
                "",
                "此致　臺北市政府",
                f"陳情人：{name}（簽章）",
                "中華民國114年10月3日",
            ],
        )
        img = photograph(page, angle, blur, noise, shade)
        # "請勿向施工單位透露本人身分": every petition asks for its author to be protected.
        cats = ["personal_data", "whistleblower"]
        label(
            f"photo-petition-0{k}",
            save_jpeg(img, f"photo_petition_0{k}.jpg", q),
            "photo",
            cats,
            [("PERSON", name), ("TW_NATIONAL_ID", ident), ("ADDRESS", addr), ("PHONE", phone)],
        )

    name, ident, phone = "詹宏達", national_id("K", 1), mobile()
    page = paper(
        "檢舉函",
        [
            f"檢舉人：{name}　電話：{phone}",
            f"身分證字號：{ident}",
            "檢舉內容：本府某科室採購人員疑似收受廠商招待，詳情如附件照片。",
            "請對檢舉人身分予以保密。",
        ],
    )
    img = photograph(page, -2.0, 0.8, 10, 0.4)
    label(
        "photo-report-01",
        save_jpeg(img, "photo_report_01.jpg", 50),
        "photo",
        ["personal_data", "whistleblower"],
        [("PERSON", name), ("PHONE", phone), ("TW_NATIONAL_ID", ident)],
    )

    page = paper(
        "【密件】",
        [
            "受文者：各分局",
            "主旨：本局訂於11月28日上午6時執行掃黑專案搜索行動，請依分工表派員。",
            "說明：一、搜索地點共計五處，詳附件。二、本件屬機密，不得轉傳或洩漏。",
        ],
    )
    img = photograph(page, 3.0, 0.7, 8, 0.35)
    label(
        "photo-raid-01",
        save_jpeg(img, "photo_raid_01.jpg", 50),
        "photo",
        ["raid", "classified"],
        [],
    )

    page = paper(
        "會議紀錄（限閱）",
        [
            "案由：資安事件調查報告",
            "決議：受影響主機共23台，系統管理員帳號 admin 密碼 Qw!2026pass 已更換。",
            "本紀錄屬機敏資料，請勿外流。",
        ],
    )
    img = photograph(page, -4.0, 0.6, 6, 0.3)
    label(
        "photo-minutes-01",
        save_jpeg(img, "photo_minutes_01.jpg", 55),
        "photo",
        ["classified", "credentials"],
        [],
    )

    img = photograph(
        lookup(
            "車籍資料查詢",
            [("車主姓名", "賴俊宏"), ("車牌號碼", "ABC-1234"), ("聯絡電話", "0933-218-476")],
        ),
        1.5,
        0.8,
        10,
        0.4,
    )
    label(
        "photo-screen-01",
        save_jpeg(img, "photo_screen_01.jpg", 50),
        "photo",
        ["personal_data"],
        [("PERSON", "賴俊宏"), ("LICENSE_PLATE", "ABC-1234"), ("PHONE", "0933-218-476")],
    )


def benign() -> None:
    items: list[tuple[str, Image.Image]] = [
        (
            "benign-poster-01",
            poster(
                "反詐騙 三不原則",
                ["不聽　不信　不轉帳", "有疑問請撥 165 反詐騙專線", "內政部警政署 關心您"],
                (200, 40, 40),
            ),
        ),
        (
            "benign-poster-02",
            poster(
                "市民當家熱線 1999",
                ["路燈不亮、道路坑洞、噪音陳情", "外縣市請撥 02-2720-8889", "臺北市政府 敬啟"],
                (30, 90, 160),
            ),
        ),
        (
            "benign-poster-03",
            poster(
                "安心專線 1925",
                ["依舊愛我　24小時免付費", "心情不好時，撥通電話聊聊", "衛生福利部"],
                (40, 120, 90),
            ),
        ),
        (
            "benign-poster-04",
            poster(
                "防疫諮詢專線",
                ["疾管署免付費專線 1922", "或撥 0800-001-922", "勤洗手　戴口罩"],
                (250, 240, 200),
                "black",
            ),
        ),
        (
            "benign-poster-05",
            poster(
                "個資保護宣導",
                ["身分證字號、電話、住址都是個人資料", "不要在群組張貼民眾個資", "政風室 敬上"],
                (90, 60, 140),
            ),
        ),
    ]
    for ident, img in items:
        label(ident, save_png(img, ident.replace("-", "_") + ".png", 32), "benign", [], [])

    img = chat(
        "科室聯絡群",
        [
            ("L", "王科長", "下午兩點在三樓會議室開週會，請準時"),
            ("R", "", "收到，我會帶上週的報告"),
            ("L", "林專員", "會議室投影機好像壞了，我先請總務處理"),
        ],
    )
    label("benign-chat-01", save_png(img, "benign_chat_01.png"), "benign", [], [])

    img = table(
        "114年度教育訓練課程表",
        ["日期", "課程", "講師"],
        [
            ["11/3", "公文寫作", "秘書室"],
            ["11/10", "資訊安全", "資訊室"],
            ["11/17", "個資保護", "政風室"],
        ],
        [140, 260, 180],
    )
    label("benign-table-01", save_png(img, "benign_table_01.png"), "benign", [], [])

    page = paper(
        "公告",
        [
            "本所將於11月30日（星期日）進行電力設備檢修，當日停止對外服務。",
            "洽詢電話：02-2720-8889",
            "造成不便，敬請見諒。",
        ],
    )
    img = photograph(page, 2.0, 0.7, 8, 0.35)
    label("benign-photo-01", save_jpeg(img, "benign_photo_01.jpg", 50), "benign", [], [])


def documents() -> None:
    import docx
    import matplotlib
    import openpyxl
    from pptx import Presentation
    from pptx.util import Inches, Pt

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.backends.backend_pdf import PdfPages

    plt.rcParams["pdf.fonttype"] = 42
    fp = font_manager.FontProperties(fname=SANS)

    def pdf(name: str, lines: list[str]) -> str:
        with PdfPages(HERE / name) as pages:
            fig = plt.figure(figsize=(8.27, 11.69))
            for k, line in enumerate(lines):
                fig.text(0.1, 0.9 - 0.04 * k, line, fontproperties=fp, fontsize=13)
            pages.savefig(fig)
            plt.close(fig)
        return name

    n, i, p = "邱淑惠", national_id("A", 2), mobile()
    label(
        "doc-pdf-01",
        pdf(
            "doc_petition_text.pdf",
            [
                "陳情書",
                f"陳情人：{n}",
                f"身分證字號：{i}",
                f"聯絡電話：{p}",
                "陳情事由：檢舉鄰居違建，請勿透露本人身分。",
            ],
        ),
        "document",
        ["personal_data", "whistleblower"],
        [("PERSON", n), ("TW_NATIONAL_ID", i), ("PHONE", p)],
        key="file",
    )

    label(
        "doc-pdf-02",
        pdf(
            "doc_minutes_benign.pdf",
            [
                "第三次科務會議紀錄",
                "時間：114年11月5日下午2時",
                "主席：王科長",
                "一、上次決議事項均已辦理完畢。",
                "二、年終工作檢討請於月底前提出。",
            ],
        ),
        "document",
        [],
        [],
        key="file",
    )

    # A scanned page: an image-only PDF (no text layer) → rendered and OCR'd.
    n2, i2, p2 = "高志偉", national_id("E", 1), mobile()
    page = paper(
        "陳情書",
        [f"陳情人：{n2}", f"身分證字號：{i2}", f"聯絡電話：{p2}", "陳情事由：路燈損壞多日未修。"],
        width=900,
    )
    page.convert("L").save(HERE / "doc_scanned.pdf", resolution=100)
    label(
        "doc-pdf-scan-01",
        "doc_scanned.pdf",
        "document",
        ["personal_data"],
        [("PERSON", n2), ("TW_NATIONAL_ID", i2), ("PHONE", p2)],
        key="file",
    )

    n3, i3, addr3 = "方雅琪", national_id("H", 2), "新竹市東區光復路二段101號"
    d = docx.Document()
    d.add_heading("個案轉介單", 1)
    d.add_paragraph(f"個案姓名：{n3}")
    d.add_paragraph(f"身分證字號：{i3}")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "住址", addr3
    t.cell(1, 0).text, t.cell(1, 1).text = "轉介原因", "經濟困難，需緊急救助"
    d.save(HERE / "doc_referral.docx")
    label(
        "doc-docx-01",
        "doc_referral.docx",
        "document",
        ["personal_data"],
        [("PERSON", n3), ("TW_NATIONAL_ID", i3), ("ADDRESS", addr3)],
        key="file",
    )

    d = docx.Document()
    d.add_heading("年終聚餐通知", 1)
    d.add_paragraph("訂於12月20日晚上6時於市府員工餐廳舉行，請各科室於12月10日前回報人數。")
    d.save(HERE / "doc_party_benign.docx")
    label("doc-docx-02", "doc_party_benign.docx", "document", [], [], key="file")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名冊"
    ws.append(["姓名", "身分證字號", "手機"])
    ents = []
    for name, letter, sex in [("曾志強", "A", 1), ("彭美惠", "B", 2), ("簡俊賢", "C", 1)]:
        ident, phone = national_id(letter, sex), mobile()
        ws.append([name, ident, phone])
        ents += [("PERSON", name), ("TW_NATIONAL_ID", ident), ("PHONE", phone)]
    wb.save(HERE / "doc_roster.xlsx")
    label("doc-xlsx-01", "doc_roster.xlsx", "document", ["personal_data"], ents, key="file")

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "專案勤務簡報（密）"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(8), Inches(3)).text_frame
    box.text = "11月28日上午6時同步執行搜索，目標五處，搜索票已核發，行動前不得外流。"
    box.paragraphs[0].runs[0].font.size = Pt(20)
    prs.save(HERE / "doc_briefing.pptx")
    label("doc-pptx-01", "doc_briefing.pptx", "document", ["raid", "classified"], [], key="file")

    p4 = mobile()
    (HERE / "doc_note_big5.txt").write_bytes(
        f"交接事項：請回電民眾 蔡佳蓉，電話 {p4}，她是這次的檢舉人，請保密。\n".encode("cp950")
    )
    label(
        "doc-txt-01",
        "doc_note_big5.txt",
        "document",
        ["personal_data", "whistleblower"],
        [("PERSON", "蔡佳蓉"), ("PHONE", p4)],
        key="file",
    )

    rows = []
    ents = []
    for name, letter, sex in [("翁子涵", "D", 2), ("施冠宇", "E", 1)]:
        ident = national_id(letter, sex)
        rows.append(f"{name},{ident},補助申請")
        ents += [("PERSON", name), ("TW_NATIONAL_ID", ident)]
    (HERE / "doc_list.csv").write_text(
        "姓名,身分證字號,案由\n" + "\n".join(rows) + "\n", encoding="utf-8-sig"
    )
    label("doc-csv-01", "doc_list.csv", "document", ["personal_data"], ents, key="file")

    # A ZIP one level deep: a DOCX and a screenshot inside.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(HERE / "doc_referral.docx", "附件/轉介單.docx")
        zf.write(HERE / "shot_chat_03.png", "附件/截圖.png")
    (HERE / "doc_bundle.zip").write_bytes(buf.getvalue())
    label(
        "doc-zip-01",
        "doc_bundle.zip",
        "document",
        ["personal_data", "raid"],
        [("PERSON", n3), ("TW_NATIONAL_ID", i3), ("ADDRESS", addr3)],
        key="file",
    )


# -- orientation, skew and formats (preprocessing is measured on these) --------------------


def petition_page(name: str, ident: str, addr: str, phone: str) -> Image.Image:
    return paper(
        "陳　情　書",
        [
            f"陳情人：{name}",
            f"身分證字號：{ident}",
            f"住址：{addr}",
            f"聯絡電話：{phone}",
            "",
            "陳情事由：本里公園夜間常有人聚集飲酒喧嘩，多次報案未見改善，懇請派員稽查。"
            "本人擔心遭報復，請勿透露本人身分。",
            "",
            f"陳情人：{name}（簽章）",
            "中華民國114年10月20日",
        ],
    )


def petition_entities(name: str, ident: str, addr: str, phone: str) -> list[tuple[str, str]]:
    return [("PERSON", name), ("TW_NATIONAL_ID", ident), ("ADDRESS", addr), ("PHONE", phone)]


def orientation_and_formats() -> None:
    cats = ["personal_data", "whistleblower"]
    # Sideways photos without an EXIF tag (a phone held sideways, or a scan turned by hand):
    # only the text itself says which way is up. PIL rotates counter-clockwise.
    for k, (name, addr, turn, skew) in enumerate(
        [
            ("趙雅惠", "臺北市大安區復興南路一段390號", 90, 1.5),
            ("錢俊傑", "新北市新莊區中正路510號", 270, -2.0),
        ],
        start=1,
    ):
        ident, phone = national_id(RNG.choice("ACFHN"), RNG.choice((1, 2))), mobile()
        img = photograph(petition_page(name, ident, addr, phone), skew, 0.7, 8, 0.35)
        img = img.rotate(turn, expand=True)
        label(
            f"photo-sideways-0{k}",
            save_jpeg(img, f"photo_sideways_0{k}.jpg", 55),
            "photo",
            cats,
            petition_entities(name, ident, addr, phone),
            tags=["sideways"],
        )

    name, addr = "孫淑娟", "桃園市桃園區中山路100號"
    ident, phone = national_id("H", 2), mobile()
    img = photograph(petition_page(name, ident, addr, phone), -1.0, 0.6, 8, 0.35)
    label(
        "photo-upside-01",
        save_jpeg(img.rotate(180), "photo_upside_01.jpg", 55),
        "photo",
        cats,
        petition_entities(name, ident, addr, phone),
        tags=["upside_down"],
    )

    # A phone photo as phones store it: pixels sideways, EXIF Orientation 6 ("turn 90° clockwise
    # to display"), as a camera held upright writes it.
    name, addr = "李國華", "臺中市南屯區公益路二段51號"
    ident, phone = national_id("B", 1), mobile()
    img = photograph(petition_page(name, ident, addr, phone), 2.0, 0.7, 10, 0.4)
    stored = img.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.convert("RGB").save(HERE / "photo_exif_01.jpg", quality=55, exif=exif.tobytes())
    from PIL import ImageOps

    assert ImageOps.exif_transpose(Image.open(HERE / "photo_exif_01.jpg")).size == img.size
    label(
        "photo-exif-01",
        "photo_exif_01.jpg",
        "photo",
        cats,
        petition_entities(name, ident, addr, phone),
        tags=["exif"],
    )

    # Skew well beyond the 6° of the photos above.
    for k, (name, addr, angle) in enumerate(
        [
            ("周美君", "高雄市左營區博愛二路777號", 9.0),
            ("吳志偉", "臺南市中西區民生路二段30號", -13.0),
        ],
        start=1,
    ):
        ident, phone = national_id(RNG.choice("DEFK"), RNG.choice((1, 2))), mobile()
        img = photograph(petition_page(name, ident, addr, phone), angle, 0.8, 10, 0.4)
        label(
            f"photo-skew-0{k}",
            save_jpeg(img, f"photo_skew_0{k}.jpg", 50),
            "photo",
            cats,
            petition_entities(name, ident, addr, phone),
            tags=["skew"],
        )

    # Screenshots in the other formats Telegram passes on as documents.
    n, i, p = "鄭淑華", national_id("E", 2), mobile()
    img = chat(
        "志工隊 聯絡",
        [
            ("L", "隊長 江", f"新志工 {n} 的保險資料：身分證 {i}"),
            ("L", "隊長 江", f"手機 {p}，週六報到"),
            ("R", "", "收到，我來登錄"),
        ],
    )
    img.save(HERE / "shot_chat_07.webp", format="WEBP", quality=80)
    label(
        "shot-chat-07",
        "shot_chat_07.webp",
        "screenshot",
        ["personal_data"],
        [("PERSON", n), ("TW_NATIONAL_ID", i), ("PHONE", p)],
        tags=["webp"],
    )

    n, i, p = "黃冠宇", national_id("A", 1), mobile()
    first = chat(
        "里辦公處",
        [("L", "幹事 陳", f"獨居長者 {n}，身分證 {i}，電話 {p}，請每週關懷")],
    )
    second = Image.new("RGB", first.size, (232, 238, 245))  # an animation's later frame
    frames = [f.convert("RGB").quantize(colors=64) for f in (first, second)]
    frames[0].save(
        HERE / "shot_chat_08.gif", save_all=True, append_images=frames[1:], duration=800
    )
    label(
        "shot-chat-08",
        "shot_chat_08.gif",
        "screenshot",
        ["personal_data"],
        [("PERSON", n), ("TW_NATIONAL_ID", i), ("PHONE", p)],
        tags=["gif"],
    )

    # A benign notice photographed sideways: turning it upright must not make it an incident.
    page = paper(
        "公告",
        [
            "本區里民活動中心自12月1日起開放借用，",
            "申請請洽區公所民政課，電話：02-2720-8889",
            "歡迎多加利用。",
        ],
    )
    img = photograph(page, 1.0, 0.6, 8, 0.3).rotate(90, expand=True)
    label(
        "benign-sideways-01",
        save_jpeg(img, "benign_sideways_01.jpg", 55),
        "benign",
        [],
        [],
        tags=["sideways"],
    )


# -- documents that carry images ---------------------------------------------------------------


def embedded_images() -> None:
    import docx
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from docx.shared import Inches
    from matplotlib import font_manager
    from matplotlib.backends.backend_pdf import PdfPages
    from pptx import Presentation
    from pptx.util import Inches as PptInches

    def png(img: Image.Image) -> io.BytesIO:
        buf = io.BytesIO()
        img.convert("RGB").quantize(colors=64).save(buf, format="PNG", optimize=True)
        buf.seek(0)
        return buf

    # A Word file whose text is harmless and whose screenshot is a record lookup.
    name, ident, phone = "馮建國", national_id("F", 1), mobile()
    addr, birth = "新竹縣竹北市光明六路10號", "民國70年6月1日"
    shot = lookup(
        "戶役政資訊查詢系統 — 個人基本資料",
        [
            ("姓名", name),
            ("身分證統一編號", ident),
            ("出生日期", birth),
            ("戶籍地址", addr),
            ("聯絡電話", phone),
        ],
    )
    d = docx.Document()
    d.add_heading("工作日誌", 1)
    d.add_paragraph("今日協助民眾申辦案件，系統畫面如下，供組內參考。")
    d.add_picture(png(shot), width=Inches(6))
    d.save(HERE / "doc_embedded_shot.docx")
    label(
        "doc-docx-img-01",
        "doc_embedded_shot.docx",
        "document",
        ["personal_data"],
        [
            ("PERSON", name),
            ("TW_NATIONAL_ID", ident),
            ("BIRTHDATE", birth),
            ("ADDRESS", addr),
            ("PHONE", phone),
        ],
        key="file",
        tags=["embedded_image"],
    )

    # A PDF with a text layer on the page AND a screenshot embedded in the same page.
    plt.rcParams["pdf.fonttype"] = 42
    fp = font_manager.FontProperties(fname=SANS)
    n2, i2, p2 = "馬玉玲", national_id("N", 2), mobile()
    shot = chat(
        "鄰里互助",
        [
            ("L", "里長", f"陳情人是{n2}，她不希望被知道"),
            ("L", "里長", f"身分證 {i2}"),
            ("L", "里長", f"電話 {p2}"),
            ("R", "", "好，我轉給承辦"),
        ],
        width=640,
    )
    with PdfPages(HERE / "doc_text_image.pdf") as pages:
        fig = plt.figure(figsize=(8.27, 11.69), dpi=100)
        lines = ["會辦單", "主旨：轉知里民陳情事項一則，請查照辦理。", "附件：通訊軟體截圖如下。"]
        for k, line in enumerate(lines):
            fig.text(0.1, 0.92 - 0.04 * k, line, fontproperties=fp, fontsize=13)
        fig.figimage(shot, xo=90, yo=300, origin="upper")
        pages.savefig(fig)
        plt.close(fig)
    label(
        "doc-pdf-img-01",
        "doc_text_image.pdf",
        "document",
        ["personal_data", "whistleblower"],
        [("PERSON", n2), ("TW_NATIONAL_ID", i2), ("PHONE", p2)],
        key="file",
        tags=["embedded_image"],
    )

    # A slide with a photographed petition pasted in.
    n3, a3 = "邱美玲", "基隆市仁愛區愛一路20號"
    i3, p3 = national_id("C", 2), mobile()
    photo = photograph(petition_page(n3, i3, a3, p3), 1.5, 0.6, 8, 0.35)
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "陳情案件追蹤"
    buf = io.BytesIO()
    photo.save(buf, format="JPEG", quality=70)
    buf.seek(0)
    slide.shapes.add_picture(buf, PptInches(2.5), PptInches(1.6), height=PptInches(5.5))
    prs.save(HERE / "doc_slides_photo.pptx")
    label(
        "doc-pptx-img-01",
        "doc_slides_photo.pptx",
        "document",
        ["personal_data", "whistleblower"],
        petition_entities(n3, i3, a3, p3),
        key="file",
        tags=["embedded_image"],
    )


def main() -> None:
    steps: list[Callable[[], None]] = [
        screenshots,
        photos,
        benign,
        documents,
        orientation_and_formats,
        embedded_images,
    ]
    for step in steps:
        step()
    with open(HERE / "labels.jsonl", "w", encoding="utf-8") as fh:
        for row in LABELS:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    total = sum((HERE / str(r.get("image") or r.get("file"))).stat().st_size for r in LABELS)
    print(f"{len(LABELS)} files, {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
