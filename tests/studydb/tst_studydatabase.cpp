#include <QtTest>

class Test_studydatabase : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_studydatabase)
#include "tst_studydatabase.moc"
