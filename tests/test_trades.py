"""The matcher's knowledge of firms as data: the trade vocabulary (lexicon/firms.toml) and the
side rules (lexicon/sides.toml), each checked by a table of rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.firm_sides import load_side_rules, side_rules
from assistant.trades import load_trades, trades
from core.errors import ConfigError
from indexing.measures.labels import Group, Side, vocabulary

READINGS = [
    # (description, trades named, some of the texts' words, audience, classes)
    ("我们是一家火锅店，外卖也做", ("restaurant",), ("餐饮", "一次性用品", "餐厨垃圾"),
     ("hospitality",), ("user",)),
    ("We run a chain of hot-pot restaurants", ("restaurant",), ("餐饮浪费",), ("hospitality",),
     ("user",)),
    ("北辰一家汽车修理厂，做钣金喷漆", ("auto_repair",), ("汽修", "挥发性有机物", "废铅蓄电池"),
     (), ("user",)),
    ("一年用电一亿多度，几千个机柜", ("data_centre", "heavy_energy_user"),
     ("重点用能单位", "节能审查"), ("data_centres",), ("user",)),
    ("有两百多辆柴油货车和一个仓库", ("freight",), ("多式联运", "老旧车船"), ("logistics",),
     ("supplier",)),
    ("给农户装屋顶太阳能板，也配小型储能", ("solar_storage",), ("分布式", "屋顶光伏"), ("energy",),
     ("supplier",)),
    ("打算再上一套新装置", ("expansion",), ("节能审查", "准入"), (), ()),
    # scrap a mill melts does not make it a recycler; collecting it does
    ("用废钢电炉炼钢", ("steel",), ("钢渣",), ("steel_materials",), ("user",)),
    # a cement works is of the materials trade; such a plant holds a discharge permit
    ("一家水泥厂，一条熟料线", ("steel",), ("产能置换", "排污许可"), ("steel_materials",),
     ("user",)),
    ("从社会上回收废金属", ("recycler",), ("再生资源",), ("recycling",), ("supplier",)),
    ("我们做咨询", (), (), (), ()),
    # selling abroad is a concern of its own, whatever the goods; English says it too
    ("焊管厂，想多往东南亚出口点货", ("factory", "exporter"), ("出口", "绿色产品贸易"),
     ("manufacturing",), ("user",)),
    ("smt/pcba shop, 70% sold to eu buyers; a munich fair booth",
     ("exporter", "electronics"), ("境外展会", "绿色供应链", "危险废物"), ("manufacturing",),
     ("user",)),
    ("we're a software company making mes software", ("software",),
     ("数字化转型", "高新技术企业"), (), ()),
    # a firm asking for credit is a bank's customer: the credit words, no finance audience
    ("港作拖轮公司，想换新船，卡在银行贷款上", ("borrower",), ("绿色信贷",), (), ()),
    ("我们是一家城市商业银行，发展绿色信贷", ("bank_finance", "borrower"), ("金融机构",),
     ("finance",), ("supplier",)),
    ("有两百多辆柴油货车，想申请低息贷款换电动车", ("freight", "borrower"), ("车船税收", "投融资"),
     ("logistics",), ("supplier",)),
    ("we purify by-product hydrogen and plan an electrolyser", ("hydrogen",),
     ("氢能", "加氢", "制氢"), ("energy",), ("supplier",)),
    # what a firm asks for beside its trade: recognition of its research, the public buyers'
    # green rules, chargers for its own fleet; such words give no audience and no class
    ("十几个人的材料公司，今年想申报高企和研发项目", ("innovator",),
     ("高新技术企业", "绿色技术研发"), (), ()),
    ("学校来问能不能供办公家具，说要有环境标志认证", ("public_supplier",),
     ("政府采购", "环境标志产品"), (), ()),
    ("our depot has no chargers yet", ("ev_charging",), ("充换电", "新能源汽车"), (), ()),
    # the customer of an energy service company asks for its contracts; heat it recovers makes
    # it no recycler
    ("还想找节能服务公司做蒸汽余热回收，省下的钱分成", ("esco_client",),
     ("合同能源管理", "能源托管"), (), ()),
    ("我们是做合同能源管理的节能服务公司", ("energy_service",), ("合同能源管理",),
     ("env_services",), ("supplier",)),
    # a clinic's waste is clinical; coal in its own boilers and remanufactured parts are a
    # firm's concerns whatever it makes
    ("我在河东开了两家口腔诊所，卫健来查医废", ("clinic",), ("医疗废物",), (), ("user",)),
    ("酒店冬天靠几台烧煤的小锅炉取暖", ("hotel", "coal_burner"), ("煤炭散烧",), ("hospitality",),
     ("user",)),
    ("想用再制造的配件把价钱降下来", ("remanufacturer",), ("再制造",), (), ()),
    # the environmental inspectors ask first for the discharge permit
    ("最近环保检查越来越严，担心过不了关", ("env_inspected",), ("排污许可",), (), ()),
    # a firm on the carbon market's list: its allowances are its concern, whatever it makes
    ("化工厂，在市里碳交易的控排名单上", ("chemical_plant", "factory", "carbon_covered"),
     ("碳排放权",), ("chemicals", "manufacturing"), ("user",)),
]


@pytest.mark.parametrize(("description", "named", "words", "audience", "classes"), READINGS,
                         ids=[r[1][0] if r[1] else "unknown" for r in READINGS])
def test_a_trade_maps_to_the_words_of_the_texts(description: str, named: tuple[str, ...],
                                                words: tuple[str, ...],
                                                audience: tuple[str, ...],
                                                classes: tuple[str, ...]) -> None:
    found = trades().read(description)
    assert found.trades == named
    assert set(words) <= set(found.words)
    assert found.audience == audience
    assert found.classes == classes


@pytest.mark.parametrize(("audience", "classes"), [
    (("energy",), ("supplier",)),
    (("steel_materials",), ("user",)),
    (("recycling", "chemicals"), ("supplier", "user")),
    ((), ()),
], ids=["supplier", "user", "both", "none"])
def test_a_firm_no_trade_names_takes_the_class_of_its_audience(
        audience: tuple[str, ...], classes: tuple[str, ...]) -> None:
    assert trades().read("我们是一家公司", audience).classes == classes


@pytest.mark.parametrize(("description", "sector", "classes"), [
    ("我们运营数据中心，想多买风电光伏的电", None, ("user",)),
    ("我们装屋顶光伏，客户多是数据中心", None, ("supplier",)),
    ("我们运营数据中心，想多买风电光伏的电", "energy", ("supplier",)),
], ids=["first-named-user", "first-named-supplier", "sector-first"])
def test_the_class_is_the_sectors_else_the_first_named_trades(
        description: str, sector: str | None, classes: tuple[str, ...]) -> None:
    assert trades().read(description, (), sector).classes == classes


@pytest.mark.parametrize(("description", "sector", "main"), [
    ("我在北辰区加盟了一个快递网点，网点还得回收纸箱，面包车也要换新能源", None, "邮件快件"),
    ("我们回收废纸箱，也送快递", None, "再生资源"),
    ("我们回收废纸箱，也有车队做配送", "logistics", "甩挂"),
    # a maker names its works first (…厂); the waste it takes back is named in passing
    ("西青区的锂电池厂，欧洲客户要旧电池回收方案", None, "绿色工厂"),
], ids=["named-first", "named-first-other", "the-sectors", "the-works"])
def test_the_main_line_is_the_sectors_trade_else_the_first_named(
        description: str, sector: str | None, main: str) -> None:
    reading = trades().read(description, (), sector)
    assert main in reading.main
    assert set(reading.main) < set(reading.words)  # the others' words are named in passing


@pytest.mark.parametrize(("description", "plain", "main"), [
    ("光伏公司，卡在垫资和银行贷款上", "光伏公司，卡在 和 上", "绿色信贷"),
    ("想申请低息贷款，我们是物流公司", "想申请  ，我们是物流公司", "货运"),
    # phrases that hold a trade's word but name none are blanked like an ask
    ("准备上溶剂回收和RTO设备", "准备上 和rto设备", None),
], ids=["bank-loan", "asked-first", "no-trade-phrase"])
def test_what_a_firm_asks_for_is_its_concern_not_its_trade(description: str, plain: str,
                                                          main: str | None) -> None:
    vocab = trades()
    assert vocab.plain(description) == plain  # the words the audience is read from
    if main:  # never the firm's main line, always a concern
        assert main in vocab.read(description).main
    else:
        assert not vocab.read(description).trades


def test_the_vocabulary_speaks_the_catalogues_labels() -> None:
    vocab = trades()
    labels = set(vocabulary().ids(Group.AUDIENCE))
    assert {a for t in vocab.trades for a in t.audience} <= labels
    assert set(vocab.label_classes) == labels  # every audience label has a class


SIDES = [
    # (task, its kinds, the sides its kinds give, the firm's classes, own audience, sides)
    ("推进铁水、公铁、公水等多式联运。", ("obligation",), (Side.REQUIREMENT,),
     ("supplier",), True, (Side.REQUIREMENT, Side.SUPPORT)),
    ("推进铁水、公铁、公水等多式联运。", ("obligation",), (Side.REQUIREMENT,),
     ("user",), True, (Side.REQUIREMENT,)),
    ("推进铁水、公铁、公水等多式联运。", ("obligation",), (Side.REQUIREMENT,),
     ("supplier",), False, (Side.REQUIREMENT,)),
    ("严格执行能效标准，淘汰落后设备。", ("obligation",), (Side.REQUIREMENT,), ("supplier",), True,
     (Side.REQUIREMENT,)),
    ("促进再生资源回收利用企业规范发展。", ("standards",), (Side.SUPPORT,), ("supplier",), True,
     (Side.SUPPORT, Side.REQUIREMENT)),
    ("推进生活垃圾分类和减量化、资源化。", ("internal",), (), ("user",), True,
     (Side.REQUIREMENT,)),
    ("引导企业开展绿色设计、实施绿色采购。", ("obligation",), (Side.REQUIREMENT,),
     ("user",), True, (Side.REQUIREMENT, Side.SUPPORT)),
    ("淘汰落后老旧车船，严禁新增。", ("technology", "ban"),
     (Side.SUPPORT, Side.REQUIREMENT), ("supplier",), True, (Side.REQUIREMENT,)),
    ("落实新能源车船税收优惠，严禁对高耗能行业实施电价优惠。", ("tax", "ban"),
     (Side.SUPPORT, Side.REQUIREMENT), ("user",), True, (Side.SUPPORT, Side.REQUIREMENT)),
    ("淘汰落后产能。", ("technology", "ban"), (Side.SUPPORT,), ("user",), True, (Side.SUPPORT,)),
    ("逐步建立生活垃圾分类计价、计量收费等差别化收费制度。", ("price",), (Side.SUPPORT,),
     ("user",), True, (Side.SUPPORT, Side.REQUIREMENT)),
    ("逐步建立生活垃圾分类计价、计量收费等差别化收费制度。", ("price",), (Side.SUPPORT,),
     ("supplier",), True, (Side.SUPPORT,)),
    ("支持绿色电力证书交易。", ("price",), (Side.SUPPORT,), ("user",), True, (Side.SUPPORT,)),
    ("加大对金融机构绿色金融业绩评价考核力度。", ("finance_support", "standards"), (Side.SUPPORT,),
     ("supplier",), True, (Side.SUPPORT, Side.REQUIREMENT)),
    # what builds or develops, with no duty in its words, is an offer to any firm, no requirement
    ("加强新能源汽车充换电、加氢等配套基础设施建设。", ("obligation",), (Side.REQUIREMENT,),
     ("user",), True, (Side.SUPPORT,)),
    ("加强新能源汽车充换电、加氢等配套基础设施建设。", ("obligation",), (Side.REQUIREMENT,),
     ("user",), False, (Side.SUPPORT,)),
    ("推进铁水、公铁、公水等多式联运，加快铁路专用线建设。", ("obligation",), (Side.REQUIREMENT,),
     ("supplier",), True, (Side.SUPPORT,)),
    ("开展建筑屋顶光伏行动，大幅提高建筑采暖、生活热水、炊事等电气化普及率。", ("obligation",),
     (Side.REQUIREMENT,), ("user",), True, (Side.SUPPORT,)),
    ("推进农业与旅游、教育、文化、健康等产业深度融合，加快一二三产业融合发展。", ("obligation",),
     (Side.REQUIREMENT,), ("supplier",), True, (Side.SUPPORT,)),
    ("鼓励化工等产业园区配套建设危险废物集中处置设施。", ("obligation",), (Side.REQUIREMENT,),
     ("user",), True, (Side.SUPPORT,)),
    # a duty in its words keeps it binding: managed, licensed, retrofitted, limited
    ("构建以排污许可制为核心的固定污染源监管制度体系。", ("obligation",), (Side.REQUIREMENT,),
     ("user",), True, (Side.REQUIREMENT,)),
    ("健全能源管理体系，强化重点用能单位节能管理和目标责任。", ("obligation",),
     (Side.REQUIREMENT,), ("user",), True, (Side.REQUIREMENT,)),
    ("加快实施钢铁、石化、化工、有色、建材等行业绿色化改造。", ("obligation",),
     (Side.REQUIREMENT,), ("user",), True, (Side.REQUIREMENT,)),
    ("加大工程建设中废弃资源综合利用力度。", ("obligation",), (Side.REQUIREMENT,),
     ("supplier",), True, (Side.REQUIREMENT, Side.SUPPORT)),
    ("推行邮件快件绿色包装，淘汰更新老旧车船，推广新能源车辆。", ("technology", "ban"),
     (Side.SUPPORT, Side.REQUIREMENT), ("user",), True, (Side.SUPPORT, Side.REQUIREMENT)),
    ("大力发展绿色产品贸易，从严控制高污染、高耗能产品出口。", ("trade", "ban"),
     (Side.SUPPORT, Side.REQUIREMENT), ("user",), True, (Side.SUPPORT, Side.REQUIREMENT)),
    # the plan drawn up for the firm's own sector binds it; another sector's does not
    ("制定钢铁、建材、建筑等行业和领域碳达峰实施方案。", ("internal",), (), ("user",), True,
     (Side.REQUIREMENT,)),
    ("制定钢铁、建材、建筑等行业和领域碳达峰实施方案。", ("internal",), (), ("supplier",), False,
     ()),
    # a product adopted throughout binds who builds with it; its maker is offered a market
    ("全面推广绿色低碳建材，推动建筑材料循环利用。", ("technology",), (Side.SUPPORT,),
     ("supplier",), True, (Side.SUPPORT, Side.REQUIREMENT)),
    ("全面推广绿色低碳建材，推动建筑材料循环利用。", ("technology",), (Side.SUPPORT,),
     ("user",), True, (Side.SUPPORT,)),
    # a tax relief to be implemented is an offer, never a duty of the firm's
    ("落实环境保护、节能节水、新能源和清洁能源车船税收优惠。", ("tax", "obligation"),
     (Side.SUPPORT, Side.REQUIREMENT), ("user",), True, (Side.SUPPORT,)),
    # a market opened is an opportunity, binding nobody
    ("进一步放开石油、化工、电力、天然气等领域节能环保竞争性业务。", ("obligation",),
     (Side.REQUIREMENT,), ("user",), True, (Side.SUPPORT,)),
    # a programme retrofitting the existing stock is an offer to its owners and builders
    ("大力推进城镇既有建筑和市政基础设施节能改造，提升建筑节能低碳水平。", ("obligation",),
     (Side.REQUIREMENT,), ("user",), True, (Side.SUPPORT,)),
    ("推进既有产业园区和产业集群循环化改造。", ("technology", "obligation"),
     (Side.SUPPORT, Side.REQUIREMENT), ("supplier",), False, (Side.SUPPORT,)),
    # the allowances a covered firm must hold are a cost, a heat supplier's as a plant's; a
    # market for others' allowances binds no firm outside it
    ("深化碳排放权交易试点市场建设，推动市场机制发挥更大作用。", ("price",), (Side.SUPPORT,),
     ("user",), True, (Side.REQUIREMENT,)),
    ("深化碳排放权交易试点市场建设，推动市场机制发挥更大作用。", ("price",), (Side.SUPPORT,),
     ("supplier",), False, (Side.SUPPORT,)),
]


@pytest.mark.parametrize(("text", "kinds", "given", "classes", "own", "expected"), SIDES,
                         ids=["promoted-supplier", "promoted-user", "promoted-not-own",
                              "bound-supplier", "regulated", "users-chores", "encouraged",
                              "phased-out", "money-stays", "last-side-kept", "charged-user",
                              "charged-not-supplier", "price-offer", "assessed-own-sector",
                              "developed-own", "developed-not-own", "developed-supplier",
                              "developed-action-user", "developed-merger", "developed-encouraged",
                              "duty-licensed", "duty-managed", "duty-retrofit", "duty-effort",
                              "phased-out-but-promoted", "export-limit-beside-green-trade",
                              "sector-plan", "sector-plan-not-own", "adopted-throughout",
                              "adopted-throughout-maker", "relief", "opened",
                              "retrofit-programme", "retrofit-programme-park", "capped-user",
                              "capped-not-own"])
def test_which_side_a_measure_falls_on_for_a_class_of_firm(
        text: str, kinds: tuple[str, ...], given: tuple[Side, ...], classes: tuple[str, ...],
        own: bool, expected: tuple[Side, ...]) -> None:
    assert side_rules().sides(given, text, kinds, classes, own) == expected


@pytest.mark.parametrize(("text", "message"), [
    ('[[trade]]\nid = "x"\nsays = []\ntexts = ["餐饮"]\n', "expected a list of words"),
    ('[[trade]]\nid = "x"\nsays = ["a"]\ntexts = ["b"]\nclass = "owner"\n', "unknown class"),
    ('[[trade]]\nid = "x"\nsays = ["a"]\ntexts = ["b"]\n[[trade]]\nid = "x"\nsays = ["c"]\n'
     'texts = ["d"]\n', "an id of its own"),
    ('[classes]\nowner = ["energy"]\n', "unknown class 'owner'"),
], ids=["no-words", "bad-class", "twice", "bad-label-class"])
def test_a_bad_trade_vocabulary_is_an_error_naming_it(tmp_path: Path, text: str,
                                                      message: str) -> None:
    path = tmp_path / "firms.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_trades(path)


@pytest.mark.parametrize(("text", "message"), [
    ('[[rule]]\nid = "x"\nclasses = ["owner"]\nkinds = ["fiscal"]\nwords = ["a"]\n'
     'side = "support"\n', "rule 'x'"),
    ('[[rule]]\nid = "x"\nclasses = ["user"]\nkinds = ["gift"]\nwords = ["a"]\n'
     'side = "support"\n', "rule 'x'"),
    ('[[rule]]\nid = "x"\nclasses = ["user"]\nkinds = ["fiscal"]\nwords = ["a"]\n'
     'side = "internal"\n', "rule 'x'"),
    ('[[rule]]\nid = "x"\nclasses = ["user"]\nkinds = ["fiscal"]\nwords = ["a"]\n', "side"),
    ('[[rule]]\nid = "x"\nclasses = ["user"]\nkinds = ["fiscal"]\nwords = ["a"]\n'
     'side = "support"\neffect = "swap"\n', "rule 'x'"),
], ids=["bad-class", "bad-kind", "internal-side", "no-side", "bad-effect"])
def test_a_bad_side_rule_is_an_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sides.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_side_rules(path, vocabulary().ids(Group.KIND))


def test_a_moved_task_keeps_only_the_side_it_is_moved_to(tmp_path: Path) -> None:
    """A move adds its side and takes away the others the task's kinds gave it; adding and
    dropping rules beside it still count."""
    path = tmp_path / "sides.toml"
    path.write_text('[[rule]]\nid = "m"\nclasses = ["user"]\nkinds = ["obligation"]\n'
                    'words = ["建设"]\nside = "support"\neffect = "move"\nown = false\n',
                    encoding="utf-8")
    rules = load_side_rules(path, vocabulary().ids(Group.KIND))
    both = (Side.REQUIREMENT, Side.SUPPORT)
    assert rules.sides((Side.REQUIREMENT,), "加快设施建设", ("obligation",), ("user",),
                       False) == (Side.SUPPORT,)
    assert rules.sides(both, "加快设施建设", ("obligation",), ("user",), True) == (Side.SUPPORT,)
    assert rules.sides((Side.REQUIREMENT,), "加快设施建设", ("obligation",), ("supplier",),
                       True) == (Side.REQUIREMENT,)
