/**
 * The geography of the demo round: the 45 municipal units of the Volgograd region as its programme of initiative
 * budgeting counted them in 2020 - 32 municipal districts, the city districts Volzhsky, Kamyshin, Mikhaylovka,
 * Uryupinsk and Frolovo, and the eight city districts of Volgograd. Populations (thousands) and centres are
 * rounded public figures; they only have to make the budget shares and the map look plausible.
 */

export interface DemoSettlement {
  /** Name as written in documents ("х. Безродный"). */
  name: string;
  /** Prepositional phrase ("в х. Безродный"); defaults to "в " + name. */
  in?: string;
}

export interface DistrictSource {
  name: string;
  /** Residents, thousands (2020, rounded). */
  population: number;
  /** Centre of the unit, WGS84 degrees. */
  center: readonly [lat: number, lon: number];
  /** How far projects spread around the centre, degrees. */
  spread: number;
  settlements: readonly DemoSettlement[];
  /** Street names of the unit; rural units use VILLAGE_STREETS. */
  streets?: readonly string[];
}

const RURAL = 0.22;
const TOWN = 0.03;
const CITY_DISTRICT = 0.02;

const s = (...names: string[]): DemoSettlement[] => names.map((name) => ({ name }));

export const DISTRICT_SOURCES: readonly DistrictSource[] = [
  {
    name: "Алексеевский район",
    population: 15.4,
    center: [50.3, 42.19],
    spread: RURAL,
    settlements: s("ст. Алексеевская", "х. Шарашенский", "ст. Усть-Бузулукская", "х. Ларинский", "х. Рябовский"),
  },
  {
    name: "Быковский район",
    population: 20.1,
    center: [49.63, 45.37],
    spread: RURAL,
    settlements: s("р.п. Быково", "с. Кислово", "х. Катричев", "с. Александровка", "с. Солдатско-Степное"),
  },
  {
    name: "Городищенский район",
    population: 61.2,
    center: [48.8, 44.47],
    spread: RURAL,
    settlements: s("р.п. Городище", "р.п. Ерзовка", "пос. Новый Рогачик", "с. Орловка", "пос. Котлубань"),
  },
  {
    name: "Даниловский район",
    population: 14.9,
    center: [50.35, 44.1],
    spread: RURAL,
    settlements: s("р.п. Даниловка", "с. Миусово", "ст. Берёзовская", "х. Атамановка", "с. Сергиевка"),
  },
  {
    name: "Дубовский район",
    population: 28.3,
    center: [49.05, 44.83],
    spread: RURAL,
    settlements: s("г. Дубовка", "с. Песковатка", "с. Оленье", "с. Горный Балыклей", "с. Пичуга"),
  },
  {
    name: "Еланский район",
    population: 28.1,
    center: [50.95, 43.73],
    spread: RURAL,
    settlements: s("р.п. Елань", "с. Большой Морец", "с. Терновка", "с. Вязовка", "с. Журавка"),
  },
  {
    name: "Жирновский район",
    population: 39.8,
    center: [50.98, 44.78],
    spread: RURAL,
    settlements: s("г. Жирновск", "р.п. Линёво", "р.п. Красный Яр", "с. Медведица", "с. Нижняя Добринка"),
  },
  {
    name: "Иловлинский район",
    population: 31.6,
    center: [49.3, 43.98],
    spread: RURAL,
    settlements: s("р.п. Иловля", "ст. Качалинская", "с. Лог", "х. Желтухин", "ст. Трёхостровская"),
  },
  {
    name: "Калачёвский район",
    population: 51.8,
    center: [48.69, 43.53],
    spread: RURAL,
    settlements: [
      { name: "г. Калач-на-Дону", in: "в г. Калаче-на-Дону" },
      ...s("пос. Береславка", "х. Ляпичев", "пос. Пятиморск", "ст. Голубинская"),
    ],
  },
  {
    name: "Камышинский район",
    population: 31.9,
    center: [50.2, 45.15],
    spread: RURAL,
    settlements: s("с. Лебяжье", "с. Петрунино", "с. Антиповка", "с. Умёт", "с. Верхняя Добринка"),
  },
  {
    name: "Киквидзенский район",
    population: 16.2,
    center: [50.62, 42.95],
    spread: RURAL,
    settlements: s("ст. Преображенская", "с. Гришевка", "х. Завязка", "х. Калиновский", "ст. Мачеха"),
  },
  {
    name: "Клетский район",
    population: 16.4,
    center: [49.32, 43.06],
    spread: RURAL,
    settlements: s("ст. Клетская", "х. Перелазовский", "ст. Распопинская", "х. Верхнебузиновка", "х. Манойлин"),
  },
  {
    name: "Котельниковский район",
    population: 34.5,
    center: [47.63, 43.15],
    spread: RURAL,
    settlements: s("г. Котельниково", "х. Нагольный", "х. Пимено-Черни", "пос. Равнинный", "х. Верхнекурмоярский"),
  },
  {
    name: "Котовский район",
    population: 30.2,
    center: [50.32, 44.8],
    spread: RURAL,
    settlements: s("г. Котово", "с. Мирошники", "с. Слюсаревка", "с. Попки", "с. Коростино"),
  },
  {
    name: "Кумылженский район",
    population: 22.3,
    center: [49.88, 42.6],
    spread: RURAL,
    settlements: s("ст. Кумылженская", "ст. Глазуновская", "ст. Слащевская", "х. Ежовка", "ст. Букановская"),
  },
  {
    name: "Ленинский район",
    population: 30.1,
    center: [48.7, 45.2],
    spread: RURAL,
    settlements: s("г. Ленинск", "с. Маляевка", "с. Царев", "с. Покровка", "с. Заплавное"),
  },
  {
    name: "Нехаевский район",
    population: 14.2,
    center: [50.42, 41.75],
    spread: RURAL,
    settlements: s("ст. Нехаевская", "х. Солонка", "ст. Тишанская", "х. Краснополье", "с. Успенка"),
  },
  {
    name: "Николаевский район",
    population: 28.4,
    center: [50.03, 45.45],
    spread: RURAL,
    settlements: s("г. Николаевск", "с. Очкуровка", "с. Бережновка", "пос. Красный Мелиоратор", "с. Солодушино"),
  },
  {
    name: "Новоаннинский район",
    population: 32.3,
    center: [50.53, 42.68],
    spread: RURAL,
    settlements: s("г. Новоаннинский", "ст. Филоновская", "ст. Галушкинская", "х. Деминский", "х. Староаннинский"),
  },
  {
    name: "Новониколаевский район",
    population: 16.3,
    center: [50.95, 42.37],
    spread: RURAL,
    settlements: s("р.п. Новониколаевский", "х. Красный Октябрь", "с. Куликовка", "пос. Серп и Молот", "х. Мирный"),
  },
  {
    name: "Октябрьский район",
    population: 20.8,
    center: [48.0, 43.64],
    spread: RURAL,
    settlements: s("р.п. Октябрьский", "х. Антонов", "пос. Шебалино", "х. Генераловский", "с. Громославка"),
  },
  {
    name: "Ольховский район",
    population: 17.1,
    center: [49.88, 44.53],
    spread: RURAL,
    settlements: s("с. Ольховка", "с. Каменный Брод", "с. Зензеватка", "с. Гусевка", "с. Солодча"),
  },
  {
    name: "Палласовский район",
    population: 40.3,
    center: [50.05, 46.88],
    spread: RURAL,
    settlements: s("г. Палласовка", "пос. Эльтон", "с. Золотари", "с. Кайсацкое", "с. Гончаровка"),
  },
  {
    name: "Руднянский район",
    population: 15.3,
    center: [50.8, 44.55],
    spread: RURAL,
    settlements: s("р.п. Рудня", "с. Ильмень", "с. Лопуховка", "с. Козловка", "с. Осички"),
  },
  {
    name: "Светлоярский район",
    population: 36.9,
    center: [48.47, 44.77],
    spread: RURAL,
    settlements: s("р.п. Светлый Яр", "пос. Кирова", "с. Райгород", "с. Червлёное", "пос. Дубовый Овраг"),
  },
  {
    name: "Серафимовичский район",
    population: 24.2,
    center: [49.58, 42.74],
    spread: RURAL,
    settlements: s("г. Серафимович", "ст. Усть-Хопёрская", "х. Пронин", "х. Большой", "х. Отрожки"),
  },
  {
    name: "Среднеахтубинский район",
    population: 55.4,
    center: [48.7, 44.88],
    spread: RURAL,
    settlements: [
      { name: "г. Краснослободск", in: "в г. Краснослободске" },
      ...s("р.п. Средняя Ахтуба", "пос. Кировец", "х. Клетский", "х. Суходол"),
    ],
  },
  {
    name: "Старополтавский район",
    population: 17.2,
    center: [50.47, 46.48],
    spread: RURAL,
    settlements: s("с. Старая Полтавка", "с. Гмелинка", "с. Валуевка", "с. Лятошинка", "с. Новая Квасниковка"),
  },
  {
    name: "Суровикинский район",
    population: 32.4,
    center: [48.6, 42.85],
    spread: RURAL,
    settlements: s("г. Суровикино", "х. Лысов", "ст. Нижний Чир", "с. Добринка", "х. Качалин"),
  },
  {
    name: "Урюпинский район",
    population: 16.8,
    center: [50.72, 42.2],
    spread: RURAL,
    settlements: s("ст. Михайловская", "х. Безродный", "х. Креповский", "х. Салтынский", "ст. Акчернская"),
  },
  {
    name: "Фроловский район",
    population: 14.3,
    center: [49.62, 43.5],
    spread: RURAL,
    settlements: s("ст. Арчединская", "с. Ветютнев", "х. Большой Лычак", "х. Пригородный", "х. Писаревка"),
  },
  {
    name: "Чернышковский район",
    population: 15.1,
    center: [48.42, 42.23],
    spread: RURAL,
    settlements: s("р.п. Чернышковский", "х. Тормосин", "пос. Басакин", "х. Маркинский", "х. Минаевский"),
  },
  {
    name: "г. Волжский",
    population: 323.3,
    center: [48.79, 44.77],
    spread: 0.04,
    settlements: [
      { name: "г. Волжский", in: "в г. Волжском" },
      { name: "пос. Краснооктябрьский" },
      { name: "пос. Уральский" },
    ],
    streets: [
      "Мира",
      "Карбышева",
      "Оломоуцкая",
      "Александрова",
      "Пушкина",
      "Энгельса",
      "Машиностроителей",
      "Мечникова",
    ],
  },
  {
    name: "г. Камышин",
    population: 108.2,
    center: [50.08, 45.41],
    spread: TOWN,
    settlements: [{ name: "г. Камышин", in: "в г. Камышине" }],
    streets: ["Ленина", "Октябрьская", "Пролетарская", "Некрасова", "Красная", "Базарова", "Гагарина", "Мира"],
  },
  {
    name: "г. Михайловка",
    population: 85.4,
    center: [50.06, 43.24],
    spread: TOWN,
    settlements: [{ name: "г. Михайловка", in: "в г. Михайловке" }, { name: "х. Сенной" }, { name: "х. Отрадное" }],
    streets: ["Обороны", "Коммуны", "Подгорная", "Республиканская", "Энгельса", "Серафимовича", "Мира"],
  },
  {
    name: "г. Урюпинск",
    population: 36.9,
    center: [50.8, 42.01],
    spread: TOWN,
    settlements: [{ name: "г. Урюпинск", in: "в г. Урюпинске" }],
    streets: ["Штеменко", "Красногвардейская", "Ленина", "Гора Восточная", "Советская", "Театральная"],
  },
  {
    name: "г. Фролово",
    population: 37.3,
    center: [49.77, 43.66],
    spread: TOWN,
    settlements: [{ name: "г. Фролово" }],
    streets: ["Фрунзе", "Ленина", "Пролетарская", "Московская", "Строителей", "Революционная"],
  },
  {
    name: "Ворошиловский район Волгограда",
    population: 79.8,
    center: [48.695, 44.49],
    spread: CITY_DISTRICT,
    settlements: [
      { name: "Ворошиловский район Волгограда", in: "в Ворошиловском районе Волгограда" },
      { name: "пос. Дар-Гора" },
    ],
    streets: ["Козловская", "Рабоче-Крестьянская", "КИМ", "Иркутская", "Пархоменко", "Огарёва"],
  },
  {
    name: "Дзержинский район Волгограда",
    population: 189.3,
    center: [48.745, 44.45],
    spread: CITY_DISTRICT,
    settlements: [
      { name: "Дзержинский район Волгограда", in: "в Дзержинском районе Волгограда" },
      { name: "пос. Гумрак" },
      { name: "мкр. Семь Ветров" },
    ],
    streets: ["8-й Воздушной Армии", "Землячки", "Тимирязева", "Ангарская", "Шекснинская", "Космонавтов"],
  },
  {
    name: "Кировский район Волгограда",
    population: 100.6,
    center: [48.6, 44.43],
    spread: CITY_DISTRICT,
    settlements: [
      { name: "Кировский район Волгограда", in: "в Кировском районе Волгограда" },
      { name: "пос. Весёлая Балка" },
    ],
    streets: ["64-й Армии", "Кирова", "Одоевского", "Курчатова", "Новостроя", "Пушкина"],
  },
  {
    name: "Красноармейский район Волгограда",
    population: 166.2,
    center: [48.52, 44.55],
    spread: CITY_DISTRICT,
    settlements: [
      { name: "Красноармейский район Волгограда", in: "в Красноармейском районе Волгограда" },
      { name: "пос. Татьянка" },
      { name: "пос. Лесобаза" },
    ],
    streets: ["Удмуртская", "Бахтурова", "Фадеева", "Лазоревая", "Гражданская", "Пролетарская"],
  },
  {
    name: "Краснооктябрьский район Волгограда",
    population: 150.4,
    center: [48.765, 44.56],
    spread: CITY_DISTRICT,
    settlements: [
      { name: "Краснооктябрьский район Волгограда", in: "в Краснооктябрьском районе Волгограда" },
      { name: "пос. Баррикады" },
      { name: "пос. Красный Октябрь" },
    ],
    streets: ["Металлургов", "Кузнецкая", "Тарифная", "Богунская", "Вершинина", "Маршала Еременко"],
  },
  {
    name: "Советский район Волгограда",
    population: 129.8,
    center: [48.655, 44.42],
    spread: CITY_DISTRICT,
    settlements: [
      { name: "Советский район Волгограда", in: "в Советском районе Волгограда" },
      { name: "пос. Горьковский" },
      { name: "пос. Новостройка" },
    ],
    streets: ["Богданова", "Электролесовская", "Тулака", "Университетская", "Автомобилистов", "Казахская"],
  },
  {
    name: "Тракторозаводский район Волгограда",
    population: 139.7,
    center: [48.8, 44.59],
    spread: CITY_DISTRICT,
    settlements: [
      { name: "Тракторозаводский район Волгограда", in: "в Тракторозаводском районе Волгограда" },
      { name: "пос. Спартановка" },
      { name: "пос. Водстрой" },
    ],
    streets: ["Тракторостроителей", "Ополченская", "Дзержинского", "Героев Малой Земли", "Николая Отрады", "Жолудева"],
  },
  {
    name: "Центральный район Волгограда",
    population: 84.9,
    center: [48.71, 44.51],
    spread: CITY_DISTRICT,
    settlements: [{ name: "Центральный район Волгограда", in: "в Центральном районе Волгограда" }],
    streets: ["Комсомольская", "Советская", "Краснознаменская", "Мира", "Хиросимы", "Чуйкова", "Пражская"],
  },
];

/** Streets found in nearly every village of the region. */
export const VILLAGE_STREETS: readonly string[] = [
  "Мира",
  "Советская",
  "Ленина",
  "Центральная",
  "Школьная",
  "Молодёжная",
  "Садовая",
  "Набережная",
  "Победы",
  "Гагарина",
  "Комсомольская",
  "Степная",
  "Луговая",
  "Заречная",
  "Первомайская",
  "Калинина",
  "Октябрьская",
  "Кооперативная",
];

/** The prepositional phrase of a settlement: "в х. Безродный". */
export function settlementIn(settlement: DemoSettlement): string {
  return settlement.in ?? `в ${settlement.name}`;
}
